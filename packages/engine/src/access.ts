import type { RecordOperation } from '@atrium/metadata';
import type { RawBuilder } from 'kysely';
import type { CompiledModule } from './records/compiled-module.js';
import type { Actor } from './system/users.js';

export type RecordAction = RecordOperation;

/**
 * What access needs to know of the caller: their role (position in the role tree) and profile
 * (what they may do per module and field), loaded fresh for every request.
 */
export type AccessActor = Pick<Actor, 'id' | 'isAdmin'> & {
  role?: string | null;
  profile?: string | null;
};

/** What the caller may do with fields of one module; `undefined` from `fields`: everything. */
export interface FieldMask {
  /** Masked from every read, and refused in filters and sorts like an unknown field. */
  hidden: ReadonlySet<string>;
  /** Readable, but a write to it is refused at its path. */
  readOnly: ReadonlySet<string>;
}

/**
 * The seam where roles, profiles and sharing plug in. Access is a record-level SCOPE: SQL over
 * the record alias `r` that the one read path ANDs into every query it runs (list, get, counts,
 * search, history, the lookup joins of filters, sorts and `expand`, lookup checks on writes) and
 * that the one write path applies when it locks the row it changes. Rows are never fetched and
 * then filtered in JavaScript.
 */
export interface AccessPolicy {
  /** Throws AtriumError('FORBIDDEN') when the actor may not do `action` on the module at all. */
  authorize(actor: AccessActor, module: CompiledModule, action: RecordAction): void;
  /**
   * The records of the module the actor may read (`read`) or change (`write`), as SQL over `r`;
   * undefined for all records. A module the actor may not read gives `false`.
   */
  scope(
    actor: AccessActor,
    module: CompiledModule,
    level: 'read' | 'write',
  ): RawBuilder<unknown> | undefined;
  /**
   * The read scope as disjoint branches whose OR is `scope(actor, module, 'read')`, each read in
   * the order of `column` through an index of its own (access-indexes.ts), so a page can merge
   * them instead of walking a sort index past every record outside the scope. Undefined when the
   * scope is one piece or a branch has no such index: the page then reads through the OR.
   */
  scopeBranches?(
    actor: AccessActor,
    module: CompiledModule,
    column: string,
  ): RawBuilder<unknown>[] | undefined;
  /** The actor's field mask on the module, or undefined when every field is theirs to edit. */
  fields(actor: AccessActor, module: CompiledModule): FieldMask | undefined;
}
