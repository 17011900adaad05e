import { defineMessages } from './messages.js';

/**
 * Why a group or a measure of an aggregate cannot be used (`groupBy=`, `measures=`, a report
 * document's fields), en and zh-CN. Said by SpecError; the aggregate route refuses with it.
 */
export const aggregateMsg = defineMessages('aggregate', {
  notAField: { en: '"{name}" is not a field of {module}', 'zh-CN': '“{name}”不是 {module} 的字段' },
  cannotGroup: {
    en: 'cannot group by "{name}" (a {type} field)',
    'zh-CN': '不能按“{name}”分组（{type} 类型的字段）',
  },
  dateNeedsBucket: {
    en: 'a date groups by a bucket: {name}:{buckets}',
    'zh-CN': '日期须按时间段分组：{name}:{buckets}',
  },
  onlyDatesBucket: {
    en: 'only dates group by a bucket ("{part}")',
    'zh-CN': '只有日期可以按时间段分组（“{part}”）',
  },
  notABucket: {
    en: '"{bucket}" is not a bucket; use one of {buckets}',
    'zh-CN': '“{bucket}”不是时间段；请使用以下之一：{buckets}',
  },
  notAMeasure: {
    en: '"{part}" is not a measure; use count, sum:<field>, avg:, min: or max:',
    'zh-CN': '“{part}”不是度量；请使用 count、sum:<字段>、avg:、min: 或 max:',
  },
  notNumeric: {
    en: '"{name}" is not a numeric or currency field',
    'zh-CN': '“{name}”不是数字或货币字段',
  },
  tooManyGroups: { en: 'group by at most {max} fields', 'zh-CN': '最多按 {max} 个字段分组' },
  groupTwice: { en: 'the same group is named twice', 'zh-CN': '同一分组出现了两次' },
  tooManyMeasures: { en: 'at most {max} measures', 'zh-CN': '最多 {max} 个度量' },
});
