import type { FilterNode } from '@atrium/metadata';
import type { CompiledModule } from './records/compiled-module.js';
import type { Actor } from './system/users.js';

export type RecordAction = 'read' | 'create' | 'update' | 'delete';

/**
 * The seam where roles, profiles and sharing rules plug in. The write path asks `authorize`
 * before anything else; the read path ANDs `readScope` into its query and drops the fields
 * `readableFields` leaves out.
 */
export interface AccessPolicy {
  /** Throws AtriumError('FORBIDDEN') when the actor may not do `action` on the module. */
  authorize(actor: Actor, module: CompiledModule, action: RecordAction): void;
  /** A filter every read of the module is restricted to, or undefined for all records. */
  readScope(actor: Actor, module: CompiledModule): FilterNode | undefined;
  /** The fields the actor may read, or undefined for all. */
  readableFields(actor: Actor, module: CompiledModule): ReadonlySet<string> | undefined;
}

/** Until roles arrive: every signed-in user may do everything. */
export const signedInMayDoAll: AccessPolicy = {
  authorize: () => {},
  readScope: () => undefined,
  readableFields: () => undefined,
};
