import { defineMessages } from '@atrium/metadata';

/**
 * What each planned step does, as `POST /api/meta/plan` and apply say it (`summary` in English,
 * `localSummary` in the caller's language). The English texts are what the CLI prints.
 */
export const planMsg = defineMessages('plan', {
  restoreTable: {
    en: 'bring module {module} back from the trash (dropped in revision {revision}) with its records',
    'zh-CN': '从回收站恢复模块 {module}（在修订 {revision} 中删除）及其记录',
  },
  createTable: { en: 'create table for module {module}', 'zh-CN': '为模块 {module} 创建表' },
  renameField: {
    en: 'rename field {module}.{from} to {to} (values, references and history kept)',
    'zh-CN': '将字段 {module}.{from} 重命名为 {to}（保留值、引用和历史）',
  },
  restoreField: {
    en: 'bring field {module}.{field} back from the trash (dropped in revision {revision}) with its values',
    'zh-CN': '从回收站恢复字段 {module}.{field}（在修订 {revision} 中删除）及其值',
  },
  addColumn: {
    en: 'add column {module}.{field} ({type})',
    'zh-CN': '添加列 {module}.{field}（{type}）',
  },
  dropForeignKey: {
    en: 'drop foreign key of {module}.{field}',
    'zh-CN': '删除 {module}.{field} 的外键',
  },
  dropIndex: { en: 'drop index of {module}.{field}', 'zh-CN': '删除 {module}.{field} 的索引' },
  dropSortIndex: {
    en: 'drop sort index of {module}.{field}',
    'zh-CN': '删除 {module}.{field} 的排序索引',
  },
  addDocument: { en: 'add {key}', 'zh-CN': '添加 {key}' },
  updateDocument: { en: 'update {key}', 'zh-CN': '更新 {key}' },
  removeDocument: { en: 'remove {key}', 'zh-CN': '移除 {key}' },
  checkValues: {
    en: 'check the values of {module}.{field} stored so far ({rules})',
    'zh-CN': '检查 {module}.{field} 已存储的值（{rules}）',
  },
  fillValues: {
    en: 'fill empty {module}.{field} with {value} (with history)',
    'zh-CN': '用 {value} 填充为空的 {module}.{field}（记录历史）',
  },
  moveValues: {
    en: 'move {module}.{field} values {pairs} (with history)',
    'zh-CN': '迁移 {module}.{field} 的值：{pairs}（记录历史）',
  },
  movePair: { en: '{from} → {to}', 'zh-CN': '{from} 改为 {to}' },
  movePairEmpty: { en: '{from} → empty', 'zh-CN': '{from} 改为空' },
  autonumber: {
    en: 'number {module}.{field} automatically',
    'zh-CN': '为 {module}.{field} 自动编号',
  },
  addForeignKey: {
    en: 'link {module}.{field} to {target}',
    'zh-CN': '将 {module}.{field} 关联到 {target}',
  },
  createIndex: {
    en: 'index {module}.{field} ({index})',
    'zh-CN': '为 {module}.{field} 建立索引（{index}）',
  },
  createSortIndex: {
    en: 'index {module}.{field} for sorting ({collation})',
    'zh-CN': '为 {module}.{field} 建立排序索引（{collation}）',
  },
  alterType: {
    en: 'change {module}.{field} from {from} to {to}',
    'zh-CN': '将 {module}.{field} 从 {from} 改为 {to}',
  },
  alterTypeUnsafe: {
    en: 'change {module}.{field} from {from} to {to} (values that do not fit fail the apply)',
    'zh-CN': '将 {module}.{field} 从 {from} 改为 {to}（不符合的值将导致应用失败）',
  },
  scopeIndex: { en: 'scope index {index}', 'zh-CN': '建立访问范围索引 {index}' },
  dropScopeIndex: { en: 'drop scope index {index}', 'zh-CN': '删除访问范围索引 {index}' },
  reportIndex: { en: 'report index {index}', 'zh-CN': '建立报表索引 {index}' },
  dropReportIndex: { en: 'drop report index {index}', 'zh-CN': '删除报表索引 {index}' },
});
