import { defineMessages } from '@atrium/metadata';

/** What automation refusals put in `details[].message`, en and zh-CN. */
export const automationMsg = defineMessages('automations', {
  loop: {
    en: 'automation "{name}" would run again inside its own run ({chain}); the automations trigger each other in a loop',
    'zh-CN': '自动化规则“{name}”会在自身的执行中再次触发（{chain}），这些规则相互触发形成循环',
  },
  depth: {
    en: 'automation "{name}" would run {depth} levels deep ({chain}); at most {max} automations may trigger one another',
    'zh-CN': '自动化规则“{name}”将在第 {depth} 层执行（{chain}）；最多允许 {max} 层相互触发',
  },
  blueprintField: {
    en: 'automation "{name}" may not set "{field}": it follows the blueprint "{blueprint}" and changes only through a transition',
    'zh-CN':
      '自动化规则“{name}”不能设置“{field}”：该字段由流程蓝图“{blueprint}”控制，只能通过流转更改',
  },
  setBy: {
    en: 'set by automation "{name}": {message}',
    'zh-CN': '由自动化规则“{name}”设置：{message}',
  },
  actionFailed: {
    en: 'automation "{name}", action {index} ({type}): {message}',
    'zh-CN': '自动化规则“{name}”的第 {index} 个动作（{type}）：{message}',
  },
  conditionFailed: {
    en: 'automation "{name}" could not evaluate its condition: {message}',
    'zh-CN': '自动化规则“{name}”无法计算其条件：{message}',
  },
  recordId: { en: 'must be a record id (uuid)', 'zh-CN': '必须是记录 ID（UUID）' },
});
