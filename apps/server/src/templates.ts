import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Actor,
  applyChange,
  type Currencies,
  createRecord,
  createUser,
  type NewUser,
  putCurrencies,
  type Row,
  runTransition,
  transitionPath,
} from '@atrium/engine';
import type { MetadataDoc } from '@atrium/metadata';
import { sql } from 'kysely';
import type { Booted } from './boot.js';
import { backdate, type HistoryMarks, historyMark } from './sample-timeline.js';

/** The repository's templates/ folder. */
export const TEMPLATES_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../templates',
);

interface Manifest {
  name: string;
  documents: string[];
  /**
   * Sample records per module, in creation order. `{"$key": k}` refers to an earlier record.
   * `"$created": "YYYY-MM-DD"` (and `"$reached"`, default: the install moment) date a record's
   * creation and the walk to its stage (sample-timeline.ts), shifted like every sample date.
   */
  sample?: string;
  /**
   * Sample users `[{email, name, role, profile}]`, created without a password (an administrator
   * sends them a reset link) unless one with the e-mail exists; `{"$user": email}` in a sample
   * record refers to one of them (e.g. as `owner_id`).
   */
  users?: string;
  /** The home currency and exchange rates reports convert money with (`PUT /api/currencies`). */
  currencies?: string;
  /**
   * `YYYY-MM-DD`: the day the sample's dates are written as of. At install every date and
   * date-time of the sample (and every exchange rate's date) moves by the days from it to
   * today, so the sample sits around the install day (deals closing soon, one won today) and a
   * dashboard shows current figures whenever it is installed.
   */
  sampleDate?: string;
}

/**
 * Installs a template (metadata documents + sample records) into the workspace: the documents
 * through the same plan/apply as any change, the records through the same write path.
 */
export async function installTemplate(
  booted: Booted,
  name: string,
  log: (line: string) => void,
): Promise<{ documents: number; records: number }> {
  const dir = path.join(TEMPLATES_DIR, name);
  const manifest = await readJson<Manifest>(path.join(dir, 'manifest.json'));
  const documents = (
    await Promise.all(
      manifest.documents.map((f) => readJson<MetadataDoc | MetadataDoc[]>(path.join(dir, f))),
    )
  ).flat();
  const { engine } = booted;
  const actor = await firstAdmin(booted);
  const applied = await applyChange(engine, { documents }, actor.id);
  log(`template ${name}: metadata revision ${applied.revision}`);
  const shift = manifest.sampleDate ? daysFrom(manifest.sampleDate, new Date()) : 0;
  if (manifest.currencies) {
    const currencies = await readJson<Currencies>(path.join(dir, manifest.currencies));
    await putCurrencies(engine, {
      ...currencies,
      rates: currencies.rates.map((r) => ({ ...r, date: shiftDate(r.date, 'date', shift) })),
    });
  }
  if (!manifest.sample) return { documents: documents.length, records: 0 };
  const sample = await readJson<Record<string, Record<string, unknown>[]>>(
    path.join(dir, manifest.sample),
  );
  const ids = new Map<string, string>();
  if (manifest.users) {
    const users = await readJson<NewUser[]>(path.join(dir, manifest.users));
    for (const u of users) {
      const known = await sql<{ id: string }>`select id from atrium.users
        where lower(email) = lower(${u.email})`.execute(booted.handle.db);
      const id = known.rows[0]?.id ?? (await createUser(booted.handle.db, u)).id;
      ids.set(`$user:${u.email}`, id);
    }
  }
  let records = 0;
  for (const [module, rows] of Object.entries(sample)) {
    // A record at a later stage of a blueprint is created at its start and walked there
    // through the transitions, as a user would: the blueprint refuses any other way.
    const compiled = engine.metadata.current.modules.get(module);
    const blueprint = compiled?.blueprint;
    const types = new Map(compiled?.doc.fields.map((f) => [f.name, f.type]));
    for (const { $key, $created, $reached, ...values } of rows) {
      const body = resolveKeys(values, ids);
      for (const [k, v] of Object.entries(body)) {
        const type = types.get(k);
        if (typeof v === 'string' && (type === 'date' || type === 'datetime'))
          body[k] = shiftDate(v, type, shift);
      }
      const stage = blueprint ? body[blueprint.field] : undefined;
      if (blueprint) delete body[blueprint.field];
      const ctx = { actor, locale: 'en' as const };
      let row: Row = await createRecord(engine, ctx, module, body);
      const at = { schema: engine.workspace.schema, module, id: row.id as string };
      const dated = typeof $created === 'string';
      const marks: HistoryMarks = dated ? [await historyMark(booted.handle.db, at)] : [];
      if (blueprint && typeof stage === 'string') {
        const steps = transitionPath(blueprint, row[blueprint.field] as string, stage);
        if (!steps) throw new Error(`sample ${module}: no transitions lead to "${stage}"`);
        for (const name of steps) {
          row = await runTransition(engine, ctx, module, row.id as string, name, {
            version: row.version,
          });
          if (dated) marks.push(await historyMark(booted.handle.db, at));
        }
      }
      if (dated && compiled) {
        const now = new Date();
        const day = (d: unknown) => {
          const t = new Date(`${shiftDate(String(d), 'date', shift)}T09:00:00Z`);
          return t > now ? now : t;
        };
        await backdate(booted.handle.db, { ...at, table: compiled.table }, marks, {
          created: day($created),
          reached: $reached === undefined ? now : day($reached),
        });
      }
      if (typeof $key === 'string') ids.set($key, row.id as string);
      records++;
    }
  }
  return { documents: documents.length, records };
}

const DAY_MS = 86_400_000;

/** Whole days from `YYYY-MM-DD` to the (UTC) day of `now`. */
export function daysFrom(day: string, now: Date): number {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Math.round((today - Date.parse(`${day}T00:00:00Z`)) / DAY_MS);
}

/** A sample date (`YYYY-MM-DD`) or date-time (ISO instant) `days` later. */
export function shiftDate(value: string, type: 'date' | 'datetime', days: number): string {
  if (days === 0) return value;
  const at = new Date(Date.parse(type === 'date' ? `${value}T00:00:00Z` : value) + days * DAY_MS);
  return type === 'date' ? at.toISOString().slice(0, 10) : at.toISOString();
}

function resolveKeys(
  values: Record<string, unknown>,
  ids: Map<string, string>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => {
      const user = (v as { $user?: unknown } | null)?.$user;
      if (typeof user === 'string') {
        const id = ids.get(`$user:${user}`);
        if (!id) throw new Error(`sample refers to unknown $user "${user}"`);
        return [k, id];
      }
      const key = (v as { $key?: unknown } | null)?.$key;
      if (typeof key !== 'string') return [k, v];
      const id = ids.get(key);
      if (!id) throw new Error(`sample refers to unknown $key "${key}"`);
      return [k, id];
    }),
  );
}

async function firstAdmin(booted: Booted): Promise<Actor> {
  const r =
    await sql<Actor>`select id, email, is_admin as "isAdmin", role, profile from atrium.users
    where is_admin order by created_at limit 1`.execute(booted.handle.db);
  const actor = r.rows[0];
  if (!actor) throw new Error('create an administrator before installing a template');
  return actor;
}

async function readJson<T>(file: string): Promise<T> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
}
