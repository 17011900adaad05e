import { defineMessages } from './messages.js';

/**
 * What is wrong with a set of metadata documents (checkDocuments, the access documents, names),
 * en and zh-CN. Terms follow the web app: 模块 module, 字段 field, 视图 view, 布局 layout,
 * 流程蓝图 blueprint, 流转 transition, 选项 option, 角色 role.
 */
export const documentMsg = defineMessages('documents', {
  definedTwiceAt: { en: '{key} is also defined at {other}', 'zh-CN': '{key} 也在 {other} 处定义' },
  oneBlueprint: {
    en: '{module} already has the blueprint at {other}; a module has at most one',
    'zh-CN': '{module} 已在 {other} 处有流程蓝图；一个模块最多只能有一个',
  },
  oneConversion: {
    en: '{module} already has the conversion at {other}; a module has at most one',
    'zh-CN': '{module} 已在 {other} 处有转化规则；一个模块最多只能有一个',
  },
  approvalNeedsRole: {
    en: 'name the role that approves',
    'zh-CN': '请指定负责审批的角色',
  },
  approvalNeedsUser: {
    en: 'name the user (e-mail) who approves',
    'zh-CN': '请指定负责审批的用户（电子邮箱）',
  },
  notAfterTransition: {
    en: '{type} changes the record before it is saved; after a transition use create_record, send_email, webhook or notify',
    'zh-CN':
      '{type} 会在保存前修改记录；流转之后请使用 create_record、send_email、webhook 或 notify',
  },
  fieldTwice: { en: 'field "{name}" is defined twice', 'zh-CN': '字段“{name}”重复定义' },
  renamedStillExists: {
    en: 'field "{name}" still exists; a rename gives up the old name',
    'zh-CN': '字段“{name}”仍然存在；重命名后不能再使用旧名称',
  },
  renamedTwice: {
    en: 'another field is also renamed from "{name}"',
    'zh-CN': '另一个字段也是从“{name}”重命名而来',
  },
  unknownField: { en: 'unknown field "{name}"', 'zh-CN': '未知字段“{name}”' },
  unknownFieldIn: {
    en: 'unknown field "{name}" in module {module}',
    'zh-CN': '模块 {module} 中没有字段“{name}”',
  },
  ruleTwice: { en: 'rule "{name}" is defined twice', 'zh-CN': '规则“{name}”重复定义' },
  needsProperty: {
    en: 'a {type} field needs "{prop}"',
    'zh-CN': '{type} 类型的字段需要“{prop}”',
  },
  optionTwice: { en: 'option "{value}" is listed twice', 'zh-CN': '选项“{value}”重复列出' },
  noModule: { en: 'no module named "{name}"', 'zh-CN': '没有名为“{name}”的模块' },
  scaleOverPrecision: { en: 'scale cannot exceed precision', 'zh-CN': '小数位数不能超过总位数' },
  cannotBeUnique: {
    en: 'a {type} field cannot be unique',
    'zh-CN': '{type} 类型的字段不能设为唯一',
  },
  computesItself: {
    en: 'a {type} field computes its own value',
    'zh-CN': '{type} 类型的字段自行计算其值',
  },
  requiredDefaultEmpty: {
    en: 'a required field cannot default to empty',
    'zh-CN': '必填字段的默认值不能为空',
  },
  notValidValue: { en: 'is not a valid {type} value', 'zh-CN': '不是有效的 {type} 值' },
  formulaCycle: {
    en: 'formulas refer to each other in a cycle: {cycle}',
    'zh-CN': '公式之间存在循环引用：{cycle}',
  },
  kanbanGroupBy: { en: 'a kanban view needs groupBy', 'zh-CN': '看板视图需要 groupBy' },
  notPicklist: { en: '"{name}" is not a picklist field', 'zh-CN': '“{name}”不是选项列表字段' },
  cannotSortBy: { en: 'cannot sort by "{name}"', 'zh-CN': '不能按“{name}”排序' },
  transitionTwice: {
    en: '"{name}" names another transition too',
    'zh-CN': '“{name}”也是另一个流转的名称',
  },
  notOptionOf: {
    en: '"{value}" is not an option of {field}',
    'zh-CN': '“{value}”不是 {field} 的选项',
  },
  noRole: { en: 'no role named "{name}"', 'zh-CN': '没有名为“{name}”的角色' },
  roleCycle: { en: 'roles form a cycle: {cycle}', 'zh-CN': '角色之间形成循环：{cycle}' },
  sharingNamesCaller: {
    en: 'a sharing rule cannot name the caller',
    'zh-CN': '共享规则不能引用当前用户',
  },
  unsafeName: {
    en: '"{name}" is not a safe name: use lower-case letters, digits and _, starting with a letter (at most 63)',
    'zh-CN': '“{name}”不是安全的名称：请使用小写字母、数字和 _，以字母开头（最多 63 个字符）',
  },
  doubleUnderscore: {
    en: '"{name}" may not contain a double underscore',
    'zh-CN': '“{name}”不能包含连续两个下划线',
  },
  pgPrefix: { en: '"{name}" may not start with pg_', 'zh-CN': '“{name}”不能以 pg_ 开头' },
  systemColumn: { en: '"{name}" is a system column name', 'zh-CN': '“{name}”是系统列名' },
  reservedModule: { en: '"{name}" is a reserved module name', 'zh-CN': '“{name}”是保留的模块名' },
});
