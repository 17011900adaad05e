import { createAjv, type Message, type Problem, valueSpec } from '@atrium/metadata';
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db.js';
import { q, qt } from '../sql-names.js';
import { metaMsg } from './meta-messages.js';
import type { Impact, Plan, Resolutions, Step, ValueCheck } from './plan.js';

/** Offending values listed per rule. */
const EXAMPLES = 5;

type CheckStep = Extract<Step, { kind: 'check_values' }>;

/**
 * Measures every `check_values` step of `planned` against the rows stored now, attaches the
 * result to the step as `impact`, and returns the refusals: what would leave data invalid and the
 * request does not resolve. Counts are exact: one scan per table counts every condition its
 * steps check at once; examples come from `LIMIT`ed queries only where something matched.
 */
export async function measureImpact(db: Db, schema: string, planned: Plan): Promise<Problem[]> {
  if (!planned.steps.some((s) => s.step.kind === 'check_values')) return [];
  // One snapshot for every check. Inside apply's transaction, `set local` ends with it too.
  if (db.isTransaction) return measureAll(db, schema, planned);
  return db.transaction().execute(async (trx) => {
    await sql`set transaction read only`.execute(trx);
    return measureAll(trx, schema, planned);
  });
}

/** What one check needs of the shared scan: a condition whose matching rows it counts. */
interface Counted {
  step: CheckStep;
  check: ValueCheck;
  where: RawBuilder<unknown>;
}

async function measureAll(db: Db, schema: string, planned: Plan): Promise<Problem[]> {
  await sql`set local work_mem = '64MB'`.execute(db);
  // Scans that may stop early (LIMIT) still use parallel workers: when nothing matches, the
  // whole table is read, and that is the case to make fast.
  await sql`set local parallel_setup_cost = 0`.execute(db);
  await sql`set local parallel_tuple_cost = 0`.execute(db);
  // Compiling the expressions costs more than it saves on one scan of a million rows.
  await sql`set local jit = off`.execute(db);
  const steps = planned.steps.filter(
    (s): s is typeof s & { step: CheckStep } => s.step.kind === 'check_values',
  );
  const counts = new Map<ValueCheck, number>();
  for (const module of new Set(steps.map((s) => s.step.module))) {
    const entries = steps.filter((s) => s.step.module === module);
    const counted = entries.flatMap(({ step }) =>
      step.checks.flatMap((check) => {
        const where = condition(step, check);
        return where ? [{ step, check, where }] : [];
      }),
    );
    for (const [check, n] of await countAll(db, qt(schema, module), counted)) counts.set(check, n);
  }
  const conflicts: Problem[] = [];
  for (const entry of steps) {
    const step = entry.step;
    const { fill, map } = resolutionSteps(planned, `${step.module}.${step.column}`);
    const impacts: Impact[] = [];
    for (const check of step.checks) {
      const impact = await measure(db, schema, step, check, counts.get(check) ?? 0, {
        fill: fill !== undefined,
        map: map?.map,
      });
      impacts.push(impact);
      if (impact.outcome === 'refused')
        conflicts.push({
          path: `${step.module}.${step.column}`,
          message: impact.message,
          ...(impact.key !== undefined && { key: impact.key, params: impact.params }),
        });
    }
    entry.impact = impacts;
  }
  return conflicts;
}

/** Every condition counted in one scan of `table` (`count(*) filter (…)` each). */
async function countAll(
  db: Db,
  table: string,
  counted: Counted[],
): Promise<Map<ValueCheck, number>> {
  const result = new Map<ValueCheck, number>();
  if (counted.length === 0) return result;
  const columns = counted.map(
    (c, i) => sql`count(*) filter (where ${c.where})::int as ${sql.raw(`n${i}`)}`,
  );
  const r = await sql<Record<string, number>>`select ${sql.join(columns)}
    from ${sql.raw(table)}`.execute(db);
  const row = r.rows[0] ?? {};
  for (const [i, c] of counted.entries()) result.set(c.check, Number(row[`n${i}`] ?? 0));
  return result;
}

/** The stored column a step checks, as SQL, and whether it holds an array. */
function column(step: CheckStep) {
  const stored = step.stored ?? { name: step.column, type: '' };
  return { stored, x: sql.raw(q(stored.name)), array: stored.type.endsWith('[]') };
}

/**
 * The rows `check` is about (empty ones for required, offending ones for the others), or
 * undefined when the check does not count through the shared scan: unique looks for duplicates
 * its own way, a single-valued picklist counts per value (the sum is the count).
 */
function condition(step: CheckStep, check: ValueCheck): RawBuilder<unknown> | undefined {
  const { stored, x, array } = column(step);
  switch (check.rule) {
    case 'required':
      return !step.stored
        ? sql`true`
        : array
          ? sql`${x} is null or cardinality(${x}) = 0`
          : stored.type === 'text'
            ? sql`${x} is null or ${x} = ''`
            : sql`${x} is null`;
    case 'unique':
      return undefined;
    case 'options':
      return array ? sql`${x} is not null and ${outside(x, true, check.allowed)}` : undefined;
    case 'maxLength':
      return sql`${x} is not null and length(${x}::text) > ${check.max}`;
    case 'range': {
      const bounds = rangeBounds(x, check);
      if (!/^(numeric|bigint|integer)/.test(stored.type) || bounds.length === 0) return undefined;
      return sql`${x} is not null and (${sql.join(bounds, sql` or `)})`;
    }
    case 'type':
      return sql`${x} is not null and (${castMisfit(x, check.from, check.to)})`;
  }
}

const outside = (x: RawBuilder<unknown>, array: boolean, values: string[]) =>
  array ? sql`not (${x} <@ ${values}::text[])` : sql`${x} <> all(${values}::text[])`;

function rangeBounds(x: RawBuilder<unknown>, check: Extract<ValueCheck, { rule: 'range' }>) {
  return [
    ...(check.min === undefined ? [] : [sql`${x} < ${check.min}`]),
    ...(check.max === undefined ? [] : [sql`${x} > ${check.max}`]),
  ];
}

async function measure(
  db: Db,
  schema: string,
  step: CheckStep,
  check: ValueCheck,
  /** Rows matching the check's condition, from the shared scan. */
  records: number,
  resolution: { fill: boolean; map: Record<string, string | null> | undefined },
): Promise<Impact> {
  const table = sql.raw(qt(schema, step.module));
  const field = `${step.module}.${step.column}`;
  const { x, array } = column(step);
  const where = condition(step, check);
  const first = async (shown: RawBuilder<unknown>) =>
    records === 0 || !where ? [] : await examplesOf(db, table, where, shown);
  switch (check.rule) {
    case 'required': {
      if (records === 0) return ok(check, metaMsg('noneEmpty', { field }));
      const examples = (await first(sql`id`)).map((value) => ({ value, records: 1 }));
      const n = count(records);
      return resolution.fill
        ? {
            rule: check.rule,
            records,
            more: false,
            examples,
            outcome: 'resolved',
            ...metaMsg('willFill', { field, count: n }),
          }
        : {
            rule: check.rule,
            records,
            more: false,
            examples,
            outcome: 'warning',
            ...metaMsg('emptyWarning', { field, count: n }),
          };
    }
    case 'unique': {
      // Where duplicates are many, the first rows already show some: look there first. Else
      // sort 8-byte hashes of every value (a parallel sort, then a streaming group that stops at
      // the fifth repeat: cheaper than sorting the values or hashing a million distinct ones),
      // and only when some hash repeats, look up the values behind it.
      const live = sql`deleted_at is null and ${x} is not null`;
      const hash = sql`hashtextextended(${x}::text, 0)`;
      const duplicates = (where: RawBuilder<unknown>, rows: RawBuilder<unknown>) =>
        sql<{ value: unknown; n: number }>`select value, count(*)::int as n
          from (select ${x} as value from ${table} where ${where} ${rows}) s
          group by value having count(*) > 1 order by n desc, value limit ${EXAMPLES}`.execute(db);
      let r = await duplicates(live, sql`limit ${FIRST_ROWS}`);
      if (r.rows.length === 0) {
        // As text: the pool reads bigints as JS numbers, which would round them.
        const repeated = await sql<{ h: string }>`select h::text as h from (
            select ${hash} as h from ${table} where ${live} order by 1) s
          group by h having count(*) > 1 limit ${EXAMPLES}`.execute(db);
        const hashes = repeated.rows.map((row) => row.h);
        if (hashes.length > 0)
          r = await duplicates(sql`${live} and ${hash} = any(${hashes}::bigint[])`, sql``);
      }
      const examples = r.rows.map((row) => ({ value: row.value, records: row.n }));
      if (examples.length === 0) return ok(check, metaMsg('noneShared', { field }));
      const shared = examples.reduce((a, e) => a + e.records, 0);
      return {
        rule: check.rule,
        records: shared,
        more: examples.length === EXAMPLES,
        examples,
        outcome: 'refused',
        ...metaMsg('cannotBeUnique', { field, examples: list(examples) }),
      };
    }
    case 'options': {
      const allowed = check.allowed;
      // Every value no longer allowed, with its exact count: one pass (the index of a picklist
      // column serves it when the planner finds that cheaper).
      const r = array
        ? await sql<{ value: string; n: number }>`select v as value, count(*)::int as n
            from (select unnest(${x}) as v from ${table} where ${where}) s
            where v <> all(${allowed}::text[]) group by v order by n desc, v`.execute(db)
        : await sql<{ value: string; n: number }>`select ${x} as value, count(*)::int as n
            from ${table} where ${x} is not null and ${outside(x, false, allowed)}
            group by ${x} order by n desc, value`.execute(db);
      const examples = r.rows.map((row) => ({ value: row.value, records: row.n }));
      if (examples.length === 0) return ok(check, metaMsg('allOptions', { field }));
      const total = array ? records : examples.reduce((a, e) => a + e.records, 0);
      const unmapped = examples.some((e) => !(e.value in (resolution.map ?? {})));
      const shown = examples.slice(0, EXAMPLES * 4);
      if (!unmapped)
        return {
          rule: check.rule,
          records: total,
          more: false,
          examples: shown,
          outcome: 'resolved',
          ...metaMsg('moveToMapped', { count: count(total) }),
        };
      const left = shown.filter((e) => !(e.value in (resolution.map ?? {})));
      return {
        rule: check.rule,
        records: total,
        more: false,
        examples: shown,
        outcome: 'refused',
        ...metaMsg('optionsGone', { count: count(total), field, examples: list(left) }),
      };
    }
    case 'maxLength':
      return misfits(
        check,
        field,
        records,
        await first(sql`left(${x}, 60)`),
        metaMsg('longerThan', { max: check.max }),
      );
    case 'range':
      if (!where) return ok(check, metaMsg('notANumber', { field }));
      return misfits(
        check,
        field,
        records,
        await first(x),
        metaMsg('outside', { min: check.min ?? '…', max: check.max ?? '…' }),
      );
    case 'type':
      return misfits(
        check,
        field,
        records,
        await first(sql`${x}::text`),
        metaMsg('notConvert', { from: check.from, to: check.to }),
      );
  }
}

/** Rows a uniqueness check looks at first, where duplicates are common. */
const FIRST_ROWS = 10_000;

/** Refuses when any non-empty value offends; says how many and lists a few. */
function misfits(
  check: ValueCheck,
  field: string,
  records: number,
  found: unknown[],
  what: Message,
): Impact {
  if (records === 0) return ok(check, metaMsg('allFit', { field }));
  const examples = found.map((value) => ({ value, records: 1 }));
  return {
    rule: check.rule,
    records,
    more: false,
    examples,
    outcome: 'refused',
    ...metaMsg('wouldNotFit', { count: count(records), field, what, examples: list(examples) }),
  };
}

const NUMBER = `'^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)\\s*$'`;
/** The largest integer a JSON number holds exactly, as the integer type's value schema says. */
const SAFE_INTEGER = '9007199254740991';

/** Digits before and after the point a numeric column type holds (unbounded: Infinity). */
function numericShape(type: string): { whole: number; scale: number } | undefined {
  if (type === 'bigint' || type === 'integer') return { whole: 19, scale: 0 };
  const m = /^numeric\((\d+),(\d+)\)$/.exec(type);
  if (m) return { whole: Number(m[1]) - Number(m[2]), scale: Number(m[2]) };
  return type === 'numeric' ? { whole: Infinity, scale: Infinity } : undefined;
}

/**
 * True for a value of type `from` that a cast to `to` would refuse, round or truncate. Pairs it
 * does not know count every value: the change is refused rather than risked. Between numbers,
 * only what the narrowing can lose is tested (a scale kept needs no rounding test).
 */
function castMisfit(x: RawBuilder<unknown>, from: string, to: string): RawBuilder<unknown> {
  const numericTo = /^numeric\((\d+),(\d+)\)$/.exec(to);
  const fromShape = numericShape(from);
  const isNumber = fromShape !== undefined;
  if (numericTo) {
    const whole = Number(numericTo[1]) - Number(numericTo[2]);
    const scale = Number(numericTo[2]);
    const bad = (v: RawBuilder<unknown>, shape = { whole: Infinity, scale: Infinity }) => {
      const tests = [
        ...(shape.whole > whole ? [sql`abs(${v}) >= ${sql.raw(`1e${whole}`)}`] : []),
        ...(shape.scale > scale ? [sql`${v} <> round(${v}, ${sql.raw(String(scale))})`] : []),
      ];
      return tests.length === 0 ? sql`false` : sql.join(tests, sql` or `);
    };
    if (isNumber) return bad(sql`${x}::numeric`, fromShape);
    if (from === 'text')
      return sql`case when ${x} ~ ${sql.raw(NUMBER)} then ${bad(sql`${x}::numeric`)} else true end`;
  }
  if (to === 'bigint') {
    const bad = (v: RawBuilder<unknown>) =>
      sql`${v} <> trunc(${v}) or abs(${v}) > ${sql.raw(SAFE_INTEGER)}`;
    if (isNumber) return bad(sql`${x}::numeric`);
    if (from === 'text')
      return sql`case when ${x} ~ ${sql.raw(NUMBER)} then ${bad(sql`${x}::numeric`)} else true end`;
  }
  if (from === 'text') {
    const pattern: Record<string, string> = {
      date: '^\\d{4}-\\d{2}-\\d{2}$',
      'timestamptz(3)':
        '^\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?)?(Z|[+-]\\d{2}(:?\\d{2})?)?$',
      uuid: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
      boolean: '^\\s*(true|false|t|f|yes|no|y|n|on|off|1|0)\\s*$',
    };
    const re = pattern[to];
    if (re) return sql`${x} !~* ${re}`;
  }
  if (from.startsWith('timestamptz') && to === 'date') return sql`${x} <> date_trunc('day', ${x})`;
  if (from === 'date' && to.startsWith('timestamptz')) return sql`false`;
  return sql`true`;
}

/** The first few values of `shown` among the rows matching `where`. */
async function examplesOf(
  db: Db,
  table: RawBuilder<unknown>,
  where: RawBuilder<unknown>,
  shown: RawBuilder<unknown>,
): Promise<unknown[]> {
  const r = await sql<{ value: unknown }>`select ${shown} as value from ${table} where ${where}
    limit ${EXAMPLES}`.execute(db);
  return r.rows.map((row) => row.value);
}

function ok(check: ValueCheck, message: Message): Impact {
  return { rule: check.rule, records: 0, more: false, examples: [], outcome: 'ok', ...message };
}

function count(records: number): Message {
  return records === 1 ? metaMsg('oneRecord') : metaMsg('records', { n: records });
}

function list(examples: { value: unknown; records: number }[]): Message[] {
  return examples.map((e) =>
    e.records > 1
      ? metaMsg('exampleTimes', { value: JSON.stringify(e.value), n: e.records })
      : metaMsg('example', { value: JSON.stringify(e.value) }),
  );
}

/**
 * Problems with the request's resolutions, on their paths: one no step needs, a fill value the
 * field would refuse, a map to a value that is not an option.
 */
export function resolutionProblems(planned: Plan, resolutions: Resolutions | undefined): Problem[] {
  const problems: Problem[] = [];
  for (const [key, resolution] of Object.entries(resolutions ?? {})) {
    const at = `resolutions.${key}`;
    const { fill, map, check } = resolutionSteps(planned, key);
    if (resolution.fill !== undefined && fill) {
      const f = fill.column.field;
      if (f && !createAjv().compile(valueSpec(f).valueSchema(f))(resolution.fill))
        problems.push(metaMsg.at(`${at}.fill`, 'fillInvalid', { type: f.type }));
    } else if (resolution.fill !== undefined) {
      problems.push(metaMsg.at(`${at}.fill`, 'fillUnneeded'));
    }
    if (resolution.map !== undefined && map) {
      const f = map.column.field;
      const options = new Set((f?.options ?? []).map((o) => o.value));
      const allowed = check?.checks.find((c) => c.rule === 'options');
      for (const [from, to] of Object.entries(resolution.map)) {
        const problem =
          allowed?.rule === 'options' && allowed.allowed.includes(from)
            ? metaMsg('stillOption', { value: from })
            : to === null
              ? f?.required
                ? metaMsg('requiredNotEmptied')
                : undefined
              : options.has(to)
                ? undefined
                : metaMsg('notAnOption', { value: to });
        if (problem) problems.push({ ...problem, path: `${at}.map.${from}` });
      }
    } else if (resolution.map !== undefined) {
      problems.push(metaMsg.at(`${at}.map`, 'mapUnneeded'));
    }
  }
  return problems;
}

/** The steps a change plans for `module.field`: its check and the resolutions of it. */
function resolutionSteps(planned: Plan, key: string) {
  const of = <K extends 'check_values' | 'fill_values' | 'map_values'>(kind: K) =>
    planned.steps
      .map((s) => s.step)
      .find(
        (s): s is Extract<Step, { kind: K }> =>
          s.kind === kind &&
          `${s.module}.${typeof s.column === 'string' ? s.column : s.column.name}` === key,
      );
  return { check: of('check_values'), fill: of('fill_values'), map: of('map_values') };
}

/**
 * Runs a `fill_values` or `map_values` step: every record it changes gets a new version and a
 * history row, as an edit through the write path would.
 */
export async function runDataStep(
  trx: Db,
  schema: string,
  step: Extract<Step, { kind: 'fill_values' | 'map_values' }>,
  actorId: string | null,
): Promise<void> {
  const table = sql.raw(qt(schema, step.module));
  const history = sql.raw(qt(schema, '_history'));
  const x = sql.raw(q(step.column.name));
  const array = step.column.type.endsWith('[]');
  const actor = sql`${actorId}::uuid`;
  let selected: RawBuilder<unknown>;
  let value: RawBuilder<unknown>;
  if (step.kind === 'fill_values') {
    selected = array
      ? sql`${x} is null or cardinality(${x}) = 0`
      : step.column.type === 'text'
        ? sql`${x} is null or ${x} = ''`
        : sql`${x} is null`;
    value = sql`${step.value}::${sql.raw(step.column.type)}`;
  } else {
    const keys = Object.keys(step.map);
    const map = JSON.stringify(step.map);
    selected = array ? sql`${x} && ${keys}::text[]` : sql`${x} = any(${keys}::text[])`;
    // Each old value replaced (or removed), duplicates dropped, order kept.
    value = array
      ? sql`(select array_agg(v order by o) from (
          select v, min(o) as o from (
            select case when ${map}::jsonb ? u.v then ${map}::jsonb ->> u.v else u.v end as v, u.o
            from unnest(old.x) with ordinality as u(v, o)) m
          where v is not null group by v) d)`
      : sql`${map}::jsonb ->> old.x`;
  }
  const column = step.column.name;
  await sql`with old as (select id, ${x} as x from ${table} where ${selected} for update),
    changed as (
      update ${table} as r set ${x} = ${value}, version = r.version + 1, updated_at = now(),
        updated_by = coalesce(${actor}, r.updated_by)
      from old where r.id = old.id
      returning r.id, old.x as before, r.${x} as after)
    insert into ${history} (module, record_id, action, changes, actor)
    select ${step.module}, id, 'update',
      jsonb_build_object(${column}::text, jsonb_build_object('from', to_jsonb(before), 'to', to_jsonb(after))),
      ${actor}
    from changed`.execute(trx);
}
