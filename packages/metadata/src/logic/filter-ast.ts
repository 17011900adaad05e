import type { FieldRef } from '../module-fields.js';

/**
 * A filter compiled from JSON Logic, ready for a SQL back end. Values are already checked and
 * coerced to the field's kind; relative dates are already turned into ranges.
 */
export type FilterNode =
  | { op: 'and' | 'or'; args: FilterNode[] }
  /**
   * Two-valued, as in memory: true when `arg` is not true. A leaf that is false because a value
   * is null makes `not` true, so SQL must say `(arg) IS NOT TRUE`, not `NOT (arg)`.
   */
  | { op: 'not'; arg: FilterNode }
  | { op: 'const'; value: boolean }
  /** `=` and `<>` are null-safe (IS [NOT] DISTINCT FROM), as in memory. */
  | { op: 'cmp'; cmp: '=' | '<>' | '<' | '<=' | '>' | '>='; field: FieldRef; value: FilterValue }
  /** The field equals one of `values` (never null: a null in the list compiles to `cmp = null`). */
  | { op: 'in'; field: FieldRef; values: FilterValue[] }
  /** from ≤ field < to when toExclusive, else from ≤ field ≤ to. */
  | { op: 'range'; field: FieldRef; from: FilterValue; to: FilterValue; toExclusive: boolean }
  /** Case-insensitive text match; `mode` says where the (literal) text must stand. */
  | { op: 'match'; field: FieldRef; text: string; mode: 'contains' | 'starts_with' }
  | { op: 'empty'; field: FieldRef }
  /** A list column holds every one of `values`. */
  | { op: 'has'; field: FieldRef; values: FilterValue[] }
  /**
   * From the field history, not the record: the record entered option `value` of picklist
   * `field` at an instant t with from ≤ t < to (null: no bound), and, with `next`, entered
   * option `next` after such an entry. No in-memory twin: only a list query can read it.
   */
  | {
      op: 'entered';
      field: FieldRef;
      value: string;
      from: string | null;
      to: string | null;
      next?: string;
    };

export type FilterValue = string | number | boolean | null;
