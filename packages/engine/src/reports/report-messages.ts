import { defineMessages } from '@atrium/metadata';

/** What the report, dashboard, aggregate and currency routes refuse with, en and zh-CN. */
export const reportMsg = defineMessages('reports', {
  date: { en: 'must be a date (YYYY-MM-DD)', 'zh-CN': '必须是日期（YYYY-MM-DD）' },
  notGroupOrMeasure: {
    en: '"{key}" is neither a group nor a measure of this aggregate',
    'zh-CN': '“{key}”既不是此汇总的分组，也不是其度量',
  },
  homeNoRate: {
    en: 'the home currency needs no rate (it is 1)',
    'zh-CN': '本位币无需汇率（恒为 1）',
  },
  twoRates: {
    en: '{currency} has two rates from {date}',
    'zh-CN': '{currency} 自 {date} 起有两个汇率',
  },
  noDashboard: { en: 'no dashboard named "{name}"', 'zh-CN': '没有名为“{name}”的仪表盘' },
  noOwnerFilter: {
    en: 'this dashboard has no owner filter',
    'zh-CN': '此仪表盘没有负责人筛选',
  },
  noReport: { en: 'no report named "{name}"', 'zh-CN': '没有名为“{name}”的报表' },
  period: {
    en: 'must be all, one of {periods}, or from..to as YYYY-MM-DD..YYYY-MM-DD',
    'zh-CN': '必须是 all、以下之一：{periods}，或 YYYY-MM-DD..YYYY-MM-DD 形式的起止日期',
  },
  owner: { en: 'must be me or a user id', 'zh-CN': '必须是 me 或用户 ID' },
});
