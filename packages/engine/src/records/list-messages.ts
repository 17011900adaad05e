import { defineMessages } from '@atrium/metadata';

/** What is wrong with a list's query (parameters, sort, cursor, view, fields, expand, q), en and zh-CN. */
export const listMsg = defineMessages('list', {
  notAParameter: { en: 'is not a parameter of this route', 'zh-CN': '不是此接口的参数' },
  givenTwice: { en: 'is given more than once', 'zh-CN': '重复提供' },
  notText: { en: 'is not a valid text', 'zh-CN': '不是有效的文本' },
  wholeNumber: {
    en: 'must be a whole number from {min} to {max}, in decimal digits',
    'zh-CN': '必须是 {min} 到 {max} 之间的整数（十进制数字）',
  },
  trueOrFalse: { en: 'must be true or false', 'zh-CN': '必须是 true 或 false' },
  cannotSortBy: { en: 'cannot sort by "{name}"', 'zh-CN': '不能按“{name}”排序' },
  sortAtMost: { en: 'sort by at most {max} fields', 'zh-CN': '最多按 {max} 个字段排序' },
  notThisCursor: {
    en: 'is not a cursor of this list (were the sort, filter, q, view or deleted changed?)',
    'zh-CN': '不是此列表的游标（排序、筛选、q、视图或 deleted 是否已更改？）',
  },
  cursorValue: {
    en: 'holds a value that is not of "{name}"',
    'zh-CN': '含有不属于“{name}”的值',
  },
  filterNotJson: {
    en: 'is not JSON (URL-encode a JSON Logic object)',
    'zh-CN': '不是 JSON（请对 JSON Logic 对象进行 URL 编码）',
  },
  noView: { en: '{module} has no view named "{name}"', 'zh-CN': '{module} 没有名为“{name}”的视图' },
  notAField: { en: '"{name}" is not a field of {module}', 'zh-CN': '“{name}”不是 {module} 的字段' },
  notAColumn: {
    en: '"{name}" is not a column of the view {view}',
    'zh-CN': '“{name}”不是视图 {view} 的列',
  },
  notALookup: { en: '"{name}" is not a lookup field', 'zh-CN': '“{name}”不是查找字段' },
  notSearchable: {
    en: 'module {module} has no searchable fields',
    'zh-CN': '模块 {module} 没有可搜索的字段',
  },
  searchTooLong: { en: 'at most {max} characters', 'zh-CN': '最多 {max} 个字符' },
});
