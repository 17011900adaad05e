import { defineMessages } from './messages.js';

/**
 * What is wrong with an automation document across the set (automationProblems), en and zh-CN.
 * Problems said the same way for every kind of document (no module, no role, unknown field) come
 * from the `documents` area. Terms follow the web app: 自动化规则 automation, 触发器 trigger.
 */
export const automationDocMsg = defineMessages('automationDocs', {
  unknownVar: {
    en: 'unknown field "{name}" (a field, or a lookup\'s field one level deep)',
    'zh-CN': '未知字段“{name}”（应为本模块的字段，或查找字段所指模块的字段，仅限一层）',
  },
  triggerTakes: {
    en: 'a "{on}" trigger does not take "{key}"',
    'zh-CN': '“{on}”触发器不接受“{key}”',
  },
  triggerNeeds: { en: 'a "{on}" trigger needs "{key}"', 'zh-CN': '“{on}”触发器需要“{key}”' },
  notDateField: {
    en: '"{name}" is not a date or datetime field',
    'zh-CN': '“{name}”不是日期或日期时间字段',
  },
  cronFields: {
    en: 'must have five fields: minute hour day-of-month month day-of-week',
    'zh-CN': '必须包含五个字段：分钟 小时 日 月 星期',
  },
  deletedRecord: {
    en: 'a deleted record cannot be changed by "{type}"',
    'zh-CN': '已删除的记录不能被“{type}”修改',
  },
  notSettable: {
    en: '"{name}" is not a field an automation can set',
    'zh-CN': '“{name}”不是自动化规则可以设置的字段',
  },
  notSettableIn: {
    en: '"{name}" is not a field of {module} one can set',
    'zh-CN': '“{name}”不是 {module} 中可以设置的字段',
  },
  notUserField: { en: '"{name}" is not a user field', 'zh-CN': '“{name}”不是用户字段' },
  roundRobinRole: {
    en: 'round robin needs the role to rotate over',
    'zh-CN': '轮流分配需要指定在其中轮换的角色',
  },
  needsRule: {
    en: 'a rule table needs at least one rule',
    'zh-CN': '规则表至少需要一条规则',
  },
  unknownMergeField: {
    en: 'unknown merge field "{field}"',
    'zh-CN': '未知的合并字段“{field}”',
  },
});
