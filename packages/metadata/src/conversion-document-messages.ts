import { defineMessages } from './messages.js';

/**
 * What is wrong with a conversion document across modules (conversionProblems), en and zh-CN;
 * `{why}` in cannotFill is one of the mismatch keys below. Terms follow the web app: 转化
 * conversion, 目标 target, 源记录 source, 查找字段 lookup.
 */
export const conversionDocMsg = defineMessages('conversionDocs', {
  ownModule: {
    en: 'a conversion cannot create its own module',
    'zh-CN': '转化不能创建其所在模块的记录',
  },
  targetTwice: { en: '"{module}" is a target twice', 'zh-CN': '“{module}”被列为目标两次' },
  computes: {
    en: '{module}.{name} computes its own value',
    'zh-CN': '{module}.{name} 自行计算其值',
  },
  twoValues: {
    en: '{module}.{name} is given more than one value',
    'zh-CN': '{module}.{name} 被赋予了多个值',
  },
  cannotFill: {
    en: '{source}.{from} cannot fill {target}.{to}: {why}',
    'zh-CN': '{source}.{from} 无法填入 {target}.{to}：{why}',
  },
  notLookupTo: {
    en: '{module}.{name} is not a lookup to {target}',
    'zh-CN': '{module}.{name} 不是指向 {target} 的查找字段',
  },
  targetBefore: {
    en: '"{linked}" must be a target listed before {module}',
    'zh-CN': '“{linked}”必须是列在 {module} 之前的目标',
  },
  cannotMatch: {
    en: 'cannot match records by a {type} field',
    'zh-CN': '不能按 {type} 类型的字段匹配记录',
  },
  markSource: {
    en: 'mark the source (a value or a link) so that it cannot be converted twice',
    'zh-CN': '请标记源记录（设置一个值或一个关联），使其不会被转化两次',
  },
  notTarget: { en: '"{linked}" is not a target', 'zh-CN': '“{linked}”不是目标' },
  notText: { en: '{from} is not text', 'zh-CN': '{from} 不是文本' },
  notType: { en: '{from} is not {to}', 'zh-CN': '{from} 不是 {to}' },
  notNumber: { en: '{from} is not a number', 'zh-CN': '{from} 不是数字' },
  notWhole: { en: '{from} is not a whole number', 'zh-CN': '{from} 不是整数' },
  notOffered: {
    en: 'options {options} are not offered',
    'zh-CN': '未提供选项 {options}',
  },
  notTags: { en: '{from} is not tags', 'zh-CN': '{from} 不是标签' },
  notLookup: { en: 'not a lookup to {target}', 'zh-CN': '不是指向 {target} 的查找字段' },
});
