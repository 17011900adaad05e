import { accessDocKey, isAccessDoc } from './access-documents.js';
import type {
  AutomationAction,
  BlueprintTransition,
  DocumentTypes,
  FieldDef,
  FieldTypeName,
  FormulaReturnType,
  JsonLogic,
  LayoutRule,
  LayoutSection,
  PicklistOption,
  ValidationRule,
} from './document-schemas.js';

/**
 * The metadata documents as TypeScript types, derived from their JSON Schemas
 * (document-schemas.ts) so the two cannot disagree.
 */
export type {
  AutomationAction,
  BlueprintTransition,
  FieldDef,
  FieldTypeName,
  FormulaReturnType,
  JsonLogic,
  LayoutRule,
  LayoutSection,
  PicklistOption,
  ValidationRule,
};

export type ModuleDoc = DocumentTypes['module'];
export type LayoutDoc = DocumentTypes['layout'];
export type ViewDoc = DocumentTypes['view'];
export type BlueprintDoc = DocumentTypes['blueprint'];
export type AutomationDoc = DocumentTypes['automation'];
export type ReportDoc = DocumentTypes['report'];
export type DashboardDoc = DocumentTypes['dashboard'];
/** Any metadata document. */
export type MetadataDoc = DocumentTypes[keyof DocumentTypes];
/** The documents that belong to one module and go with it. */
export type ModulePartDoc = LayoutDoc | ViewDoc | BlueprintDoc | AutomationDoc;
export type DocKind = MetadataDoc['kind'];

/**
 * The stable key of a document: reinstalling a template finds the same document by it and
 * diffs instead of duplicating.
 */
export function docKey(doc: MetadataDoc): string {
  if (doc.kind === 'module') return `module:${doc.name}`;
  if (isAccessDoc(doc)) return accessDocKey(doc);
  if (doc.kind === 'dashboard') return `dashboard:${doc.name}`;
  return `${doc.kind}:${doc.module}.${doc.name}`;
}
