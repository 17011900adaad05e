export * from './access.js';
export * from './db.js';
export * from './engine.js';
export * from './errors.js';
export { errorHandler } from './http/error-handler.js';
export { frameworkError, onClientError, onFrameworkError } from './http/framework-error.js';
export { inputGuard, inputProblem, MAX_INPUT_DEPTH } from './http/input-guard.js';
export { metaRoutes } from './http/meta-routes.js';
export { openApiDocument } from './http/openapi.js';
export { recordsRoutes } from './http/records-routes.js';
export { contextOf, localeOf } from './http/request-context.js';
export { applyChange, type ChangeRequest, planChange } from './meta/apply.js';
export { MetadataCache } from './meta/metadata-cache.js';
export { type Plan, type PlannedStep, plan, type Step } from './meta/plan.js';
export { revertRequest } from './meta/revert.js';
export { loadMetadata } from './meta/store.js';
export { listTrash, purgeTrash, type TrashEntry } from './meta/trash.js';
export type { CompiledModule, Snapshot } from './records/compiled-module.js';
export {
  getRecord,
  type ListQuery,
  type ListResult,
  listRecords,
  recordHistory,
} from './records/read.js';
export { uuidv7 } from './records/uuid.js';
export {
  createRecord,
  deleteRecord,
  type Row,
  restoreRecord,
  updateRecord,
} from './records/write.js';
export { assertSystemMigrated, migrateSystem, SYSTEM_MIGRATIONS } from './system/migrations.js';
export * from './system/users.js';
export { ensureWorkspace, type Workspace } from './system/workspace.js';
