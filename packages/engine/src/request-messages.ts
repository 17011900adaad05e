import { defineMessages } from '@atrium/metadata';

/**
 * What is wrong with a request before any record is touched (its shape, the route, the module,
 * settings, jobs, permissions), en and zh-CN.
 */
export const requestMsg = defineMessages('request', {
  notFinite: { en: 'must be a finite number', 'zh-CN': '必须是有限的数字' },
  tooDeep: { en: 'is nested more than {max} levels deep', 'zh-CN': '嵌套超过 {max} 层' },
  badKey: { en: 'has a property name that {why}', 'zh-CN': '其属性名{why}' },
  noRoute: { en: 'No route {method} {url}', 'zh-CN': '没有接口 {method} {url}' },
  framework: { en: '{reason}', 'zh-CN': '请求无法处理：{reason}' },
  noModule: { en: 'no module named "{name}"', 'zh-CN': '没有名为“{name}”的模块' },
  wholeNumber: { en: 'must be a whole number', 'zh-CN': '必须是整数' },
  timeZone: {
    en: '"{value}" is not an IANA time zone name such as Europe/Berlin or UTC',
    'zh-CN': '“{value}”不是 IANA 时区名称（例如 Asia/Shanghai 或 UTC）',
  },
  noJob: { en: 'no job {id}', 'zh-CN': '没有任务 {id}' },
  jobIs: { en: 'job {id} is {status}', 'zh-CN': '任务 {id} 的状态为 {status}' },
  create: { en: 'create', 'zh-CN': '创建' },
  read: { en: 'read', 'zh-CN': '查看' },
  update: { en: 'update', 'zh-CN': '修改' },
  delete: { en: 'delete', 'zh-CN': '删除' },
  import: { en: 'import', 'zh-CN': '导入' },
  export: { en: 'export', 'zh-CN': '导出' },
});
