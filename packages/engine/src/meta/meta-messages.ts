import { defineMessages } from '@atrium/metadata';

/**
 * What plan and apply say about a change (data impact, resolutions, refusals), en and zh-CN.
 * The English texts are what the CLI prints and the tests read.
 */
export const metaMsg = defineMessages('meta', {
  records: { en: '{n} records', 'zh-CN': '{n} 条记录' },
  example: { en: '{value}', 'zh-CN': '{value}' },
  exampleTimes: { en: '{value} ({n} records)', 'zh-CN': '{value}（{n} 条记录）' },
  oneRecord: { en: '1 record', 'zh-CN': '1 条记录' },
  moreThan: { en: 'more than {n} records', 'zh-CN': '超过 {n} 条记录' },
  noneEmpty: { en: 'no record of {field} is empty', 'zh-CN': '{field} 没有为空的记录' },
  willFill: { en: '{field} will be filled in {count}', 'zh-CN': '将为 {count}填入 {field}' },
  emptyWarning: {
    en: '{count} have no {field}; they stay as they are, and the next edit of each must fill it (or give resolutions["{field}"].fill)',
    'zh-CN':
      '{count}的 {field} 为空；这些记录保持不变，下次编辑时必须填写（或提供 resolutions["{field}"].fill）',
  },
  noneShared: {
    en: 'no two live records share a {field}',
    'zh-CN': '没有两条有效记录的 {field} 相同',
  },
  cannotBeUnique: {
    en: '{field} cannot become unique: records share values, e.g. {examples}',
    'zh-CN': '{field} 无法设为唯一：已有记录使用相同的值，例如 {examples}',
  },
  allOptions: { en: 'every {field} is one of its options', 'zh-CN': '每个 {field} 都是其选项之一' },
  moveToMapped: {
    en: '{count} move to the options the map names',
    'zh-CN': '{count}将改为映射中指定的选项',
  },
  optionsGone: {
    en: '{count} use values {field} no longer offers: {examples}; map them to an option in resolutions["{field}"].map',
    'zh-CN':
      '{count}使用了 {field} 不再提供的值：{examples}；请在 resolutions["{field}"].map 中将其映射到某个选项',
  },
  longerThan: { en: 'are longer than {max} characters', 'zh-CN': '长度超过 {max} 个字符' },
  outside: { en: 'are outside {min} to {max}', 'zh-CN': '超出 {min} 到 {max} 的范围' },
  notConvert: {
    en: 'do not convert exactly from {from} to {to}',
    'zh-CN': '无法从 {from} 精确转换为 {to}',
  },
  notANumber: { en: '{field} was not a number', 'zh-CN': '{field} 原本不是数字' },
  allFit: { en: 'every {field} fits', 'zh-CN': '所有 {field} 都符合' },
  wouldNotFit: {
    en: '{count} have a {field} that would not fit: values that {what}, e.g. {examples}',
    'zh-CN': '{count}的 {field} 将不再符合：这些值{what}，例如 {examples}',
  },
  fillInvalid: { en: 'is not a valid {type} value', 'zh-CN': '不是有效的 {type} 值' },
  fillUnneeded: {
    en: 'this change makes no field required there',
    'zh-CN': '此更改并未将该字段设为必填',
  },
  stillOption: {
    en: '"{value}" is still an option; only values no longer offered are moved',
    'zh-CN': '“{value}”仍是选项；只有不再提供的值才会被迁移',
  },
  requiredNotEmptied: {
    en: 'a required field cannot be emptied',
    'zh-CN': '必填字段不能被清空',
  },
  notAnOption: { en: '"{value}" is not an option', 'zh-CN': '“{value}”不是选项' },
  mapUnneeded: {
    en: 'this change removes no option there',
    'zh-CN': '此更改并未移除该字段的任何选项',
  },
  atRevision: {
    en: 'the workspace is at revision {revision}',
    'zh-CN': '工作区当前为修订 {revision}',
  },
  documentsList: { en: 'must be a list of documents', 'zh-CN': '必须是文档列表' },
  dropField: {
    en: 'drop field {module}.{field} (kept in the trash)',
    'zh-CN': '删除字段 {module}.{field}（保留在回收站中）',
  },
  dropModule: {
    en: 'drop module {module} (kept in the trash)',
    'zh-CN': '删除模块 {module}（保留在回收站中）',
  },
  stepFailed: { en: '{summary}: {reason}', 'zh-CN': '执行“{summary}”失败：{reason}' },
  noRevision: { en: 'no revision {n}', 'zh-CN': '没有修订 {n}' },
  revisionNumber: {
    en: 'must be a revision number from 1 to {max}',
    'zh-CN': '必须是 1 到 {max} 之间的修订号',
  },
  blueprintAllCovered: {
    en: 'every record of {module} sits in a state of the blueprint',
    'zh-CN': '{module} 的每条记录都处于流程蓝图中的某个状态',
  },
  blueprintStuck: {
    en: '{records} record(s) of {module} sit in {states}, which no transition of "{blueprint}" leaves or reaches; they stay there',
    'zh-CN':
      '{module} 中有 {records} 条记录处于 {states}，流程蓝图“{blueprint}”没有任何流转进入或离开这些状态；这些记录将保持原状',
  },
  roleInUseOne: {
    en: '1 user has the role "{name}"; give them another role first',
    'zh-CN': '有 1 位用户使用角色“{name}”；请先为其指定其他角色',
  },
  roleInUse: {
    en: '{n} users have the role "{name}"; give them another role first',
    'zh-CN': '有 {n} 位用户使用角色“{name}”；请先为他们指定其他角色',
  },
  profileInUseOne: {
    en: '1 user has the profile "{name}"; give them another profile first',
    'zh-CN': '有 1 位用户使用简档“{name}”；请先为其指定其他简档',
  },
  profileInUse: {
    en: '{n} users have the profile "{name}"; give them another profile first',
    'zh-CN': '有 {n} 位用户使用简档“{name}”；请先为他们指定其他简档',
  },
});
