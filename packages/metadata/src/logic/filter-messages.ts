import { defineMessages } from '../messages.js';

/** Why a filter (a list's `filter=`, a view's, a sharing rule's) cannot be compiled, en and zh-CN. */
export const filterMsg = defineMessages('filter', {
  tooLarge: {
    en: 'is too large: at most {max} operators and values in one expression',
    'zh-CN': '表达式过大：一个表达式最多包含 {max} 个运算符和值',
  },
  tooDeep: {
    en: 'is nested too deeply: at most {max} levels of operators',
    'zh-CN': '嵌套过深：运算符最多嵌套 {max} 层',
  },
  badText: { en: 'holds a text that {why}', 'zh-CN': '其中的文本{why}' },
  nestsAtMost: { en: 'a filter nests at most {max} levels', 'zh-CN': '筛选条件最多嵌套 {max} 层' },
  unknownVariable: {
    en: 'unknown variable {name} (known: {known})',
    'zh-CN': '未知变量 {name}（可用：{known}）',
  },
  notAnObject: {
    en: 'a filter must be a JSON Logic object such as {"==": [{"var": "stage"}, "won"]}',
    'zh-CN': '筛选条件必须是 JSON Logic 对象，例如 {"==": [{"var": "stage"}, "won"]}',
  },
  oneOperator: {
    en: 'a JSON Logic object has exactly one operator',
    'zh-CN': 'JSON Logic 对象只能有一个运算符',
  },
  needsCondition: {
    en: '"{op}" needs at least one condition',
    'zh-CN': '“{op}”至少需要一个条件',
  },
  takesOneField: { en: '"{op}" takes one field', 'zh-CN': '“{op}”只接受一个字段' },
  unknownOperator: {
    en: 'operator "{op}" cannot be used in a filter',
    'zh-CN': '运算符“{op}”不能用于筛选条件',
  },
  takesOneArgument: { en: '"{op}" takes one argument', 'zh-CN': '“{op}”只接受一个参数' },
  takesTwoArguments: { en: '"{op}" takes two arguments', 'zh-CN': '“{op}”需要两个参数' },
  compareFieldWithValue: {
    en: '"{op}" must compare a field ({"var": ...}) with a value',
    'zh-CN': '“{op}”必须将字段（{"var": ...}）与值比较',
  },
  twoFields: {
    en: 'comparing two fields is not supported in a filter',
    'zh-CN': '筛选条件不支持比较两个字段',
  },
  noNull: {
    en: '"{op}" cannot compare with null; use "==" or "is_empty"',
    'zh-CN': '“{op}”不能与 null 比较，请使用“==”或“is_empty”',
  },
  betweenArgs: {
    en: 'between takes a field, a low and a high value',
    'zh-CN': 'between 需要一个字段、一个下限和一个上限',
  },
  betweenBounds: {
    en: 'between needs two non-null bounds',
    'zh-CN': 'between 需要两个非空的边界值',
  },
  inShape: {
    en: '"in" must be {"in": [{"var": f}, [values]]} or {"in": [value, {"var": f}]}',
    'zh-CN': '“in”必须写成 {"in": [{"var": f}, [values]]} 或 {"in": [value, {"var": f}]}',
  },
  fieldAndText: { en: '"{op}" takes a field and a text', 'zh-CN': '“{op}”需要一个字段和一段文本' },
  needsText: { en: '"{op}" needs a text to look for', 'zh-CN': '“{op}”需要要查找的文本' },
  textNul: { en: 'a text cannot hold a NUL character', 'zh-CN': '文本不能包含 NUL 字符' },
  hasArgs: {
    en: '"has" takes a list field and a value or list',
    'zh-CN': '“has”需要一个列表字段和一个值或列表',
  },
  hasValue: { en: '"has" needs a value to look for', 'zh-CN': '“has”需要要查找的值' },
  notOption: {
    en: '"{value}" is not an option of {field}',
    'zh-CN': '“{value}”不是 {field} 的选项',
  },
  dateInArgs: {
    en: '"date_in" takes a date field and a period',
    'zh-CN': '“date_in”需要一个日期字段和一个时间段',
  },
  unknownPeriod: { en: 'unknown period {period}', 'zh-CN': '未知时间段 {period}' },
  days: {
    en: 'the number of days must be a whole number from 1 to 36500',
    'zh-CN': '天数必须是 1 到 36500 之间的整数',
  },
  isEmptyArgs: { en: 'is_empty takes one field', 'zh-CN': 'is_empty 只接受一个字段' },
  defaultInVar: {
    en: 'a default value in {"var": {name}} cannot be used in a filter',
    'zh-CN': '筛选条件中不能使用 {"var": {name}} 里的默认值',
  },
  unknownField: { en: 'unknown field {name}', 'zh-CN': '未知字段 {name}' },
  operatorNotFor: {
    en: 'operator {operator} does not apply to {type} field {field}',
    'zh-CN': '运算符 {operator} 不适用于 {type} 类型的字段 {field}',
  },
  comparesExactly: {
    en: '{op} compares exactly: write {literal} as {value}',
    'zh-CN': '{op} 按原值精确比较：请将 {literal} 写成 {value}',
  },
  plainValue: { en: 'expected a plain value', 'zh-CN': '应为简单值' },
  notA: {
    en: '{literal} is not {what} (field {field})',
    'zh-CN': '{literal} 不是{what}（字段 {field}）',
  },
  aWholeNumber: { en: 'a whole number', 'zh-CN': '整数' },
  aNumber: { en: 'a number', 'zh-CN': '数字' },
  aBoolean: { en: 'true or false', 'zh-CN': 'true 或 false' },
  aDate: { en: 'a date (YYYY-MM-DD)', 'zh-CN': '日期（YYYY-MM-DD）' },
  aDateTime: { en: 'a date-time', 'zh-CN': '日期时间' },
  aText: { en: 'a text', 'zh-CN': '文本' },
  aTextWithoutNul: { en: 'a text without NUL characters', 'zh-CN': '不含 NUL 字符的文本' },
  anId: { en: 'an id (uuid)', 'zh-CN': '记录 ID（uuid）' },
  anOptionOf: { en: 'an option of {field}', 'zh-CN': '{field} 的选项' },
  historyOnlyInLists: {
    en: '"{op}" reads the field history, which only a list filter, a saved view or a report can do: a condition on one record or a sharing rule cannot use it',
    'zh-CN':
      '“{op}”读取字段历史，只有列表筛选、保存的视图和报表可以使用；单条记录上的条件和共享规则不能使用它',
  },
  enteredArgs: {
    en: '"entered" takes a picklist field, one of its options, the start and the end (instants, null for no bound) and optionally the next option, as {"entered": [{"var": "stage"}, "qualification", "2026-01-01T00:00:00Z", null]}',
    'zh-CN':
      '“entered”需要一个选项列表字段、它的一个选项、开始和结束时间（时间点，null 表示不限）以及可选的下一个选项，例如 {"entered": [{"var": "stage"}, "qualification", "2026-01-01T00:00:00Z", null]}',
  },
  enteredField: {
    en: '"entered" reads the history of a picklist field of the record itself; {field} is not one',
    'zh-CN': '“entered”只能读取记录本身的选项列表字段的历史；{field} 不是这样的字段',
  },
  anInstant: {
    en: '{literal} is not an instant with its offset (such as "2026-01-01T00:00:00Z") or null',
    'zh-CN': '{literal} 不是带时区偏移的时间点（例如 "2026-01-01T00:00:00Z"），也不是 null',
  },
});
