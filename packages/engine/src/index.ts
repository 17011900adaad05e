export * from './access.js';
export * from './access-permissions.js';
export * from './access-policy.js';
export * from './access-view.js';
export { type DryRunResult, dryRunAutomations } from './automation/dry-run.js';
export {
  AUTOMATION_JOB,
  type AutomationJob,
  automationJobHandlers,
  dueAt,
  scheduleAutomations,
} from './automation/timed.js';
export { recordTrace, type TraceEntry } from './automation/trace.js';
export * from './db.js';
export * from './engine.js';
export * from './errors.js';
export { approvalsRoutes } from './http/approvals-routes.js';
export { automationsRoutes } from './http/automations-routes.js';
export { effectsRoutes } from './http/effects-routes.js';
export { errorHandler } from './http/error-handler.js';
export { frameworkError, onClientError, onFrameworkError } from './http/framework-error.js';
export { inputGuard, inputProblem, MAX_INPUT_DEPTH } from './http/input-guard.js';
export { jobsRoutes } from './http/jobs-routes.js';
export { metaRoutes } from './http/meta-routes.js';
export { openApiDocument } from './http/openapi.js';
export { recordsRoutes } from './http/records-routes.js';
export { reportsRoutes } from './http/reports-routes.js';
export { contextOf, localeOf, timeZoneHook } from './http/request-context.js';
export { settingsRoutes, timeZoneValue } from './http/settings-routes.js';
export {
  type ApplyResult,
  applyChange,
  type ChangeRequest,
  type MetaEngine,
  type PlanResult,
  planChange,
} from './meta/apply.js';
export { syncKeptIndexes } from './meta/index-sync.js';
export { MetadataCache } from './meta/metadata-cache.js';
export {
  type Impact,
  type Plan,
  type PlannedStep,
  plan,
  type Resolution,
  type Resolutions,
  type Step,
  type ValueCheck,
} from './meta/plan.js';
export { revertRequest } from './meta/revert.js';
export {
  getRevision,
  listRevisions,
  type Revision,
  type RevisionChange,
  type RevisionSummary,
} from './meta/revisions.js';
export { loadMetadata } from './meta/store.js';
export { listTrash, purgeTrash, type TrashEntry } from './meta/trash.js';
export {
  type Approval,
  type ApprovalRule,
  decideApproval,
  listApprovals,
} from './process/approvals.js';
export {
  type AvailableTransition,
  availableTransitions,
  type Blueprint,
  blueprintGuard,
  transitionPath,
} from './process/blueprint.js';
export { type ConversionResult, convertRecord } from './process/convert.js';
export {
  type EffectsConfig,
  effectsConfigFromEnv,
  sideEffectHandlers,
} from './process/effects/handlers.js';
export { type MailPayload, messageIdOf } from './process/effects/mail.js';
export type { NotifyPayload } from './process/effects/notify.js';
export type { WebhookPayload } from './process/effects/webhook.js';
export {
  rotateWebhookSecret,
  signWebhook,
  verifyWebhook,
  type WebhookSecret,
  webhookSecret,
} from './process/effects/webhook-secret.js';
export {
  isPrivateAddress,
  webhookAllowHosts,
  webhookTargetProblem,
} from './process/effects/webhook-target.js';
export {
  DeadLetter,
  type JobHandler,
  JobWorker,
  type WorkerOptions,
} from './process/job-worker.js';
export { enqueueJob, type Job, listJobs, retryJob } from './process/jobs.js';
export {
  listTransitions,
  requestTransition,
  runTransition,
  type TransitionList,
  type TransitionOutcome,
  transitionWithin,
} from './process/transition.js';
export type { CompiledModule, Snapshot } from './records/compiled-module.js';
export {
  EXPORT_LIMIT,
  EXPORT_PAGE,
  type ExportQuery,
  exportRecords,
} from './records/export.js';
export {
  CsvText,
  IMPORT_LIMIT,
  type ImportBody,
  type ImportOptions,
  type ImportResult,
  importRecords,
} from './records/import.js';
export {
  GET_QUERY_SCHEMA,
  HISTORY_QUERY_SCHEMA,
  LIST_QUERY_SCHEMA,
  type ListQuery,
  strictQuery,
} from './records/list-query.js';
export { getRecord, type ListResult, listRecords, recordHistory } from './records/read.js';
export { uuidv7 } from './records/uuid.js';
export {
  createRecord,
  createWithin,
  deleteRecord,
  type Row,
  restoreRecord,
  updateRecord,
  updateWithin,
} from './records/write.js';
export * from './reports/aggregate.js';
export * from './reports/aggregate-query.js';
export * from './reports/currencies.js';
export * from './reports/dashboard.js';
export * from './reports/export.js';
export * from './reports/report-query.js';
export * from './reports/report-run.js';
export { syncStageHistory } from './reports/stage-history.js';
export * from './sheet-file.js';
export * from './system/access-names.js';
export * from './system/api-tokens.js';
export * from './system/audit.js';
export * from './system/credential-cache.js';
export { loginAllowed } from './system/login-limit.js';
export { assertSystemMigrated, migrateSystem, SYSTEM_MIGRATIONS } from './system/migrations.js';
export * from './system/password-tokens.js';
export * from './system/secrets.js';
export * from './system/sessions.js';
export { TimeZones } from './system/time-zones.js';
export * from './system/transfer-records.js';
export * from './system/user-admin.js';
export * from './system/users.js';
export {
  ensureWorkspace,
  updateWorkspaceSettings,
  type Workspace,
  type WorkspaceSettings,
  workspaceSettings,
} from './system/workspace.js';
