import { defineMessages } from '@atrium/metadata';

/** What record export and import say, en and zh-CN: caps, headings, and values read from text. */
export const ioMsg = defineMessages('io', {
  tooManyToExport: {
    en: 'more than {max} records match; narrow the filter, the search or the view',
    'zh-CN': '匹配的记录超过 {max} 条，请缩小筛选条件、搜索或视图范围',
  },
  tooManyRows: {
    en: 'holds {count} rows; import at most {max} per request',
    'zh-CN': '共有 {count} 行，每次最多导入 {max} 行',
  },
  noRows: { en: 'holds no rows to import', 'zh-CN': '没有可导入的行' },
  csvQuote: {
    en: 'line {line} has a quote that is not closed',
    'zh-CN': '第 {line} 行的引号没有闭合',
  },
  tooManyCells: {
    en: 'has {count} cells but there are {max} headings; check its quotes and commas',
    'zh-CN': '有 {count} 个单元格，但只有 {max} 个标题；请检查引号和逗号',
  },
  emptyHeading: { en: 'column {column} has no heading', 'zh-CN': '第 {column} 列没有标题' },
  unknownHeading: {
    en: '"{heading}" matches no field of {module}; map it to a field, or to null to skip it',
    'zh-CN': '“{heading}”与 {module} 的任何字段都不匹配；请将其映射到字段，或映射为 null 以跳过',
  },
  sameField: {
    en: '"{heading}" and "{other}" both fill {field}',
    'zh-CN': '“{heading}”和“{other}”都填写 {field}',
  },
  noSuchHeading: {
    en: 'no column is headed "{heading}"',
    'zh-CN': '没有标题为“{heading}”的列',
  },
  notAField: {
    en: 'no writable field named "{name}" in {module}',
    'zh-CN': '{module} 中没有名为“{name}”的可写字段',
  },
  mappingObject: {
    en: 'must be a JSON object of heading → field name (or null to skip the column)',
    'zh-CN': '必须是“标题 → 字段名”的 JSON 对象（值为 null 表示跳过该列）',
  },
  rowsList: {
    en: 'must be a list of objects, one per record',
    'zh-CN': '必须是对象列表，每条记录一个对象',
  },
  notANumber: { en: '"{value}" is not a number', 'zh-CN': '“{value}”不是数字' },
  notAWholeNumber: { en: '"{value}" is not a whole number', 'zh-CN': '“{value}”不是整数' },
  notABoolean: {
    en: '"{value}" is not yes or no (true/false, yes/no, 是/否)',
    'zh-CN': '“{value}”不是“是”或“否”（true/false、yes/no、是/否）',
  },
  notADate: {
    en: '"{value}" is not a date written as YYYY-MM-DD',
    'zh-CN': '“{value}”不是 YYYY-MM-DD 格式的日期',
  },
  notADateTime: {
    en: '"{value}" is not a date and time such as 2026-11-27T09:30:00Z',
    'zh-CN': '“{value}”不是日期时间（例如 2026-11-27T09:30:00Z）',
  },
  notAnOption: {
    en: '"{value}" is none of the options: {options}',
    'zh-CN': '“{value}”不是可选项之一：{options}',
  },
  noRecordNamed: {
    en: 'no {module} record named "{value}" that you may read',
    'zh-CN': '没有您可查看的名为“{value}”的 {module} 记录',
  },
  nameNotUnique: {
    en: '{count} {module} records are named "{value}"; give the id instead',
    'zh-CN': '有 {count} 条 {module} 记录名为“{value}”，请改用 ID',
  },
  idOnly: {
    en: '{module} records have no name to look them up by; give the id',
    'zh-CN': '{module} 记录没有可用于查找的名称，请使用 ID',
  },
  noUserWithEmail: {
    en: 'no user with the e-mail "{value}"',
    'zh-CN': '没有电子邮件为“{value}”的用户',
  },
  yes: { en: 'Yes', 'zh-CN': '是' },
  no: { en: 'No', 'zh-CN': '否' },
});
