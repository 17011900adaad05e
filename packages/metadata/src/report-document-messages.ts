import { defineMessages } from './messages.js';

/**
 * What is wrong with a report or dashboard document across the set (reportProblems), en and
 * zh-CN. A group's or a measure's problem is the `aggregate` area's, a filter's the `filter`
 * area's. Terms follow the web app: 报表 report, 仪表盘 dashboard, 漏斗 funnel, 预测 forecast,
 * 排行榜 leaderboard.
 */
export const reportDocMsg = defineMessages('reportDocs', {
  definedTwice: {
    en: 'the report "{name}" is also defined at {other}',
    'zh-CN': '报表“{name}”也在 {other} 处定义',
  },
  noReport: { en: 'no report named "{name}"', 'zh-CN': '没有名为“{name}”的报表' },
  notPeriod: { en: '"{value}" is not a period', 'zh-CN': '“{value}”不是有效的时间段' },
  notUsed: {
    en: 'a {type} report does not use "{key}"',
    'zh-CN': '{type} 报表不使用“{key}”',
  },
  needs: { en: 'a {type} report needs "{key}"', 'zh-CN': '{type} 报表需要“{key}”' },
  funnelField: {
    en: 'a funnel needs "field": a picklist of the module',
    'zh-CN': '漏斗报表需要“field”：本模块的一个选项列表字段',
  },
  forecastNeeds: { en: 'a forecast needs "{key}"', 'zh-CN': '预测报表需要“{key}”' },
  leaderboardNeeds: { en: 'a leaderboard needs "{key}"', 'zh-CN': '排行榜需要“{key}”' },
  leaderboardWon: {
    en: 'a leaderboard needs "won": when a record is won',
    'zh-CN': '排行榜需要“won”：记录何时算作赢单',
  },
  notDateField: {
    en: '"{name}" is not a date or date-time field',
    'zh-CN': '“{name}”不是日期或日期时间字段',
  },
  categoryField: {
    en: 'forecast categories need "field": a picklist of the module',
    'zh-CN': '预测分类需要“field”：本模块的一个选项列表字段',
  },
  categoryTwice: {
    en: '"{value}" is already in the category {other}',
    'zh-CN': '“{value}”已在分类 {other} 中',
  },
});
