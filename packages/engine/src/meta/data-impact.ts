import { createAjv, type Message, type Problem, valueSpec } from '@atrium/metadata';
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db.js';
import { q, qt } from '../sql-names.js';
import { metaMsg } from './meta-messages.js';
import type { Impact, Plan, Resolutions, Step, ValueCheck } from './plan.js';

/**
 * Counts stop here, as the read path's do: planning stays fast on a table of any size, and
 * "more than 10,000 records" is all a person deciding needs to know.
 */
const COUNT_LIMIT = 10_000;
/** Offending values listed per rule. */
const EXAMPLES = 5;

type CheckStep = Extract<Step, { kind: 'check_values' }>;

/**
 * Measures every `check_values` step of `planned` against the rows stored now (bounded queries:
 * counts capped, examples limited), attaches the result to the step as `impact`, and returns the
 * refusals: what would leave data invalid and the request does not resolve.
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

async function measureAll(db: Db, schema: string, planned: Plan): Promise<Problem[]> {
  await sql`set local work_mem = '64MB'`.execute(db);
  // Scans that may stop early (LIMIT) still use parallel workers: when nothing matches, the
  // whole table is read, and that is the case to make fast.
  await sql`set local parallel_setup_cost = 0`.execute(db);
  await sql`set local parallel_tuple_cost = 0`.execute(db);
  const conflicts: Problem[] = [];
  for (const entry of planned.steps) {
    const step = entry.step;
    if (step.kind !== 'check_values') continue;
    const { fill, map } = resolutionSteps(planned, `${step.module}.${step.column}`);
    const impacts: Impact[] = [];
    for (const check of step.checks) {
      const impact = await measure(db, schema, step, check, {
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

async function measure(
  db: Db,
  schema: string,
  step: CheckStep,
  check: ValueCheck,
  resolution: { fill: boolean; map: Record<string, string | null> | undefined },
): Promise<Impact> {
  const table = sql.raw(qt(schema, step.module));
  const field = `${step.module}.${step.column}`;
  const stored = step.stored ?? { name: step.column, type: '' };
  const x = sql.raw(q(stored.name));
  const array = stored.type.endsWith('[]');
  switch (check.rule) {
    case 'required': {
      const empty = step.stored
        ? array
          ? sql`${x} is null or cardinality(${x}) = 0`
          : stored.type === 'text'
            ? sql`${x} is null or ${x} = ''`
            : sql`${x} is null`
        : sql`true`;
      const found = await matching(db, table, empty, sql`id`);
      const { records, more } = found;
      const examples = found.examples.map((value) => ({ value, records: 1 }));
      if (records === 0) return ok(check, metaMsg('noneEmpty', { field }));
      const n = count(records, more);
      return resolution.fill
        ? {
            rule: check.rule,
            records,
            more,
            examples,
            outcome: 'resolved',
            ...metaMsg('willFill', { field, count: n }),
          }
        : {
            rule: check.rule,
            records,
            more,
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
      let r = await duplicates(live, sql`limit ${COUNT_LIMIT}`);
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
      const records = examples.reduce((a, e) => a + e.records, 0);
      return {
        rule: check.rule,
        records,
        more: examples.length === EXAMPLES,
        examples,
        outcome: 'refused',
        ...metaMsg('cannotBeUnique', { field, examples: list(examples) }),
      };
    }
    case 'options': {
      const allowed = check.allowed;
      const outside = (values: string[]) =>
        array ? sql`not (${x} <@ ${values}::text[])` : sql`${x} <> all(${values}::text[])`;
      const r = array
        ? await sql<{ value: string; n: number }>`select v as value, count(*)::int as n
            from (select unnest(${x}) as v from ${table} where ${x} is not null and ${outside(allowed)}
                  limit ${COUNT_LIMIT + 1}) s
            where v <> all(${allowed}::text[]) group by v order by n desc, v`.execute(db)
        : await sql<{ value: string; n: number }>`select value, count(*)::int as n
            from (select ${x} as value from ${table} where ${x} is not null and ${outside(allowed)}
                  limit ${COUNT_LIMIT + 1}) s
            group by value order by n desc, value`.execute(db);
      const examples = r.rows.map((row) => ({ value: row.value, records: row.n }));
      const total = examples.reduce((a, e) => a + e.records, 0);
      const records = Math.min(total, COUNT_LIMIT);
      const more = total > COUNT_LIMIT;
      if (examples.length === 0) return ok(check, metaMsg('allOptions', { field }));
      const mapped = [...allowed, ...Object.keys(resolution.map ?? {})];
      const unmapped = resolution.map
        ? (
            await sql<{ found: boolean }>`select exists (select 1 from ${table}
              where ${x} is not null and ${outside(mapped)}) as found`.execute(db)
          ).rows[0]?.found
        : true;
      const shown = examples.slice(0, EXAMPLES * 4);
      if (!unmapped)
        return {
          rule: check.rule,
          records,
          more,
          examples: shown,
          outcome: 'resolved',
          ...metaMsg('moveToMapped', { count: count(records, more) }),
        };
      const left = shown.filter((e) => !(e.value in (resolution.map ?? {})));
      return {
        rule: check.rule,
        records,
        more,
        examples: shown,
        outcome: 'refused',
        ...metaMsg('optionsGone', { count: count(records, more), field, examples: list(left) }),
      };
    }
    case 'maxLength':
      return misfits(
        db,
        table,
        x,
        check,
        field,
        sql`length(${x}::text) > ${check.max}`,
        metaMsg('longerThan', { max: check.max }),
        sql`left(${x}, 60)`,
      );
    case 'range': {
      const bounds = [
        ...(check.min === undefined ? [] : [sql`${x} < ${check.min}`]),
        ...(check.max === undefined ? [] : [sql`${x} > ${check.max}`]),
      ];
      if (!/^(numeric|bigint|integer)/.test(stored.type) || bounds.length === 0)
        return ok(check, metaMsg('notANumber', { field }));
      return misfits(
        db,
        table,
        x,
        check,
        field,
        sql.join(bounds, sql` or `),
        metaMsg('outside', { min: check.min ?? '…', max: check.max ?? '…' }),
        x,
      );
    }
    case 'type':
      return misfits(
        db,
        table,
        x,
        check,
        field,
        castMisfit(x, check.from, check.to),
        metaMsg('notConvert', { from: check.from, to: check.to }),
        sql`${x}::text`,
      );
  }
}

/** Refuses when any non-empty value matches `misfit`; counts and lists them. */
async function misfits(
  db: Db,
  table: RawBuilder<unknown>,
  x: RawBuilder<unknown>,
  check: ValueCheck,
  field: string,
  misfit: RawBuilder<unknown>,
  what: Message,
  shown: RawBuilder<unknown>,
): Promise<Impact> {
  const where = sql`${x} is not null and (${misfit})`;
  const found = await matching(db, table, where, shown);
  const { records, more } = found;
  if (records === 0) return ok(check, metaMsg('allFit', { field }));
  const examples = found.examples.map((value) => ({ value, records: 1 }));
  return {
    rule: check.rule,
    records,
    more,
    examples,
    outcome: 'refused',
    ...metaMsg('wouldNotFit', {
      count: count(records, more),
      field,
      what,
      examples: list(examples),
    }),
  };
}

const NUMBER = `'^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)\\s*$'`;
/** The largest integer a JSON number holds exactly, as the integer type's value schema says. */
const SAFE_INTEGER = '9007199254740991';

/**
 * True for a value of type `from` that a cast to `to` would refuse, round or truncate. Pairs it
 * does not know count every value: the change is refused rather than risked.
 */
function castMisfit(x: RawBuilder<unknown>, from: string, to: string): RawBuilder<unknown> {
  const numericTo = /^numeric\((\d+),(\d+)\)$/.exec(to);
  const isNumber = from === 'bigint' || from.startsWith('numeric');
  if (numericTo) {
    const whole = Number(numericTo[1]) - Number(numericTo[2]);
    const scale = Number(numericTo[2]);
    const bad = (v: RawBuilder<unknown>) =>
      sql`abs(${v}) >= ${sql.raw(`1e${whole}`)} or ${v} <> round(${v}, ${sql.raw(String(scale))})`;
    if (isNumber) return bad(sql`${x}::numeric`);
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

/**
 * Rows matching `where`, counted up to the cap, and the first few of `shown`: one scan that stops
 * at the cap (or finds nothing, the common case, in one pass).
 */
async function matching(
  db: Db,
  table: RawBuilder<unknown>,
  where: RawBuilder<unknown>,
  shown: RawBuilder<unknown>,
): Promise<{ records: number; more: boolean; examples: unknown[] }> {
  const r = await sql<{ value: unknown }>`select ${shown} as value from ${table} where ${where}
    limit ${COUNT_LIMIT + 1}`.execute(db);
  const n = r.rows.length;
  return {
    records: Math.min(n, COUNT_LIMIT),
    more: n > COUNT_LIMIT,
    examples: r.rows.slice(0, EXAMPLES).map((row) => row.value),
  };
}

function ok(check: ValueCheck, message: Message): Impact {
  return { rule: check.rule, records: 0, more: false, examples: [], outcome: 'ok', ...message };
}

function count(records: number, more: boolean): Message {
  return more
    ? metaMsg('moreThan', { n: COUNT_LIMIT.toLocaleString('en') })
    : records === 1
      ? metaMsg('oneRecord')
      : metaMsg('records', { n: records });
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
