import {
  type GroupSpec,
  groupSpecs,
  type JsonSchema,
  type MeasureSpec,
  measureSpecs,
  SpecError,
} from '@atrium/metadata';
import { AtriumError } from '../errors.js';
import type { CompiledModule } from '../records/compiled-module.js';
import { LIST_QUERY_SCHEMA } from '../records/list-query.js';

/** Parameters of `GET /api/records/:module/aggregate`, once parsed by strictQuery. */
export interface AggregateQuery {
  /** `stage`, `stage,owner_id`, `close_date:month` (at most two). */
  groupBy?: string;
  /** `count,sum:amount,avg:amount` (default `count`). */
  measures?: string;
  /** JSON Logic, as on the list route. */
  filter?: string;
  /** `YYYY-MM-DD`: the day whose exchange rates convert money (default: today). */
  asOf?: string;
  /** `-sum:amount`: order rows by a measure or group (default: the groups' own order). */
  sort?: string;
  limit?: number;
  /** true to add the row over all records (`totals`). */
  totals?: boolean;
  /** A saved view of the module: its filter narrows the figures as it narrows the list. */
  view?: string;
}

export const MAX_GROUP_ROWS = 5000;
export const DEFAULT_GROUP_ROWS = 1000;

const text = (description: string, maxLength: number): JsonSchema => ({
  type: 'string',
  maxLength,
  description,
});

/** The aggregate contract, declared once: the route compiles it, OpenAPI publishes it. */
export const AGGREGATE_QUERY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    groupBy: text(
      'Up to two comma-separated fields: picklists, lookups, users, booleans, or dates bucketed as field:day|week|month|quarter|year',
      200,
    ),
    measures: text(
      'Comma-separated measures: count, sum:<field>, avg:<field>, min:<field>, max:<field> on numeric and currency fields (default count)',
      500,
    ),
    filter: LIST_QUERY_SCHEMA.properties?.filter as JsonSchema,
    asOf: {
      type: 'string',
      pattern: '^\\d{4}-\\d{2}-\\d{2}$',
      description:
        'The date whose exchange rates convert money to the home currency (default today)',
    },
    sort: text('A measure or group key, - for descending (default: the groups in order)', 200),
    limit: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_GROUP_ROWS,
      description: `Most groups to answer, 1 to ${MAX_GROUP_ROWS} (default ${DEFAULT_GROUP_ROWS})`,
    },
    totals: { type: 'boolean', description: 'true to add the figures over all matching records' },
    view: LIST_QUERY_SCHEMA.properties?.view as JsonSchema,
  },
};

/** Runs a metadata spec parser, turning its SpecError into INVALID_QUERY at `path`. */
export function specAt<T>(path: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof SpecError) throw new AtriumError('INVALID_QUERY', [{ path, ...e.said }]);
    throw e;
  }
}

/** `stage,close_date:month` → group specs, each field known to the caller (hidden = unknown). */
export function parseGroups(
  m: CompiledModule,
  raw: string | undefined,
  path = 'groupBy',
): GroupSpec[] {
  return specAt(path, () => groupSpecs(m.resolve, m.doc.name, split(raw)));
}

/** `count,sum:amount` → measure specs on numeric and currency fields the caller may read. */
export function parseMeasures(
  m: CompiledModule,
  raw: string | undefined,
  path = 'measures',
): MeasureSpec[] {
  return specAt(path, () => measureSpecs(m.resolve, m.doc.name, split(raw)));
}

function split(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
