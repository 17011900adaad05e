import { evaluate, type MetadataDoc, type ModuleDoc, truthy } from '@atrium/metadata';
import {
  ClientError,
  type DataClient,
  type ListPage,
  type ListParams,
  type Problem,
  type RecordValues,
  type UserSummary,
} from '../../src/client.js';

/**
 * A DataClient over arrays: our own interface implemented in memory, so components are tested
 * against the same contract the app implements over HTTP. `refuse` plays the server's checks.
 */
export class MemoryClient implements DataClient {
  readonly tables = new Map<string, RecordValues[]>();
  readonly calls: { method: string; module: string; params?: unknown }[] = [];
  readonly historyRows = new Map<string, RecordValues[]>();
  refuse?: (module: string, values: RecordValues) => Problem[] | undefined;
  private nextId = 1;

  constructor(
    private readonly documents: MetadataDoc[],
    seed: Record<string, RecordValues[]> = {},
    private readonly people: UserSummary[] = [],
  ) {
    for (const [module, rows] of Object.entries(seed))
      this.tables.set(
        module,
        rows.map((r) => ({ id: this.id(), version: 1, ...r })),
      );
  }

  private id(): string {
    return `00000000-0000-4000-8000-${String(this.nextId++).padStart(12, '0')}`;
  }

  private table(module: string): RecordValues[] {
    let rows = this.tables.get(module);
    if (!rows) {
      rows = [];
      this.tables.set(module, rows);
    }
    return rows;
  }

  private moduleDoc(module: string): ModuleDoc | undefined {
    return this.documents.find((d): d is ModuleDoc => d.kind === 'module' && d.name === module);
  }

  private expand(module: string, row: RecordValues, expand: string[] = []): RecordValues {
    const doc = this.moduleDoc(module);
    const out = { ...row };
    for (const name of expand) {
      const target = doc?.fields.find((f) => f.name === name)?.target;
      if (target && row[name])
        out[name] = this.table(target).find((r) => r.id === row[name]) ?? null;
    }
    return out;
  }

  async list(module: string, params: ListParams): Promise<ListPage> {
    this.calls.push({ method: 'list', module, params });
    const doc = this.moduleDoc(module);
    let rows = [...this.table(module)];
    if (params.filter) rows = rows.filter((r) => truthy(evaluate(params.filter as never, r)));
    if (params.q) {
      const name = doc?.recordName ?? 'name';
      const q = params.q.toLowerCase();
      rows = rows.filter((r) =>
        String(r[name] ?? '')
          .toLowerCase()
          .includes(q),
      );
    }
    if (params.sort) {
      const keys = params.sort
        .split(',')
        .map((k) => (k.startsWith('-') ? { k: k.slice(1), dir: -1 } : { k, dir: 1 }));
      rows.sort((a, b) => {
        for (const { k, dir } of keys) {
          const x = a[k] as number | string;
          const y = b[k] as number | string;
          if (x === y) continue;
          if (x === null || x === undefined) return 1;
          if (y === null || y === undefined) return -1;
          return (x < y ? -1 : 1) * dir;
        }
        return 0;
      });
    }
    const start = params.cursor ? Number(params.cursor) : 0;
    const limit = params.limit ?? 50;
    const page = rows.slice(start, start + limit).map((r) => {
      const picked = params.fields
        ? Object.fromEntries(['id', ...params.fields].map((f) => [f, r[f]]))
        : r;
      return this.expand(module, picked, params.expand);
    });
    return {
      data: page,
      nextCursor: start + limit < rows.length ? String(start + limit) : null,
      ...(params.count && { count: { value: rows.length, exact: true } }),
    };
  }

  async get(module: string, id: string, options?: { expand?: string[] }): Promise<RecordValues> {
    const row = this.table(module).find((r) => r.id === id);
    if (!row) throw new ClientError(404, 'NOT_FOUND', 'Not found');
    return this.expand(module, row, options?.expand);
  }

  async create(module: string, values: RecordValues): Promise<RecordValues> {
    this.calls.push({ method: 'create', module, params: values });
    const problems = this.refuse?.(module, values);
    if (problems?.length)
      throw new ClientError(400, 'VALIDATION_FAILED', 'Invalid values', problems);
    const row = { ...values, id: this.id(), version: 1 };
    this.table(module).push(row);
    return row;
  }

  async update(
    module: string,
    id: string,
    values: RecordValues & { version: number },
  ): Promise<RecordValues> {
    this.calls.push({ method: 'update', module, params: { id, ...values } });
    const rows = this.table(module);
    const index = rows.findIndex((r) => r.id === id);
    const current = rows[index];
    if (!current) throw new ClientError(404, 'NOT_FOUND', 'Not found');
    const problems = this.refuse?.(module, { ...current, ...values });
    if (problems?.length)
      throw new ClientError(400, 'VALIDATION_FAILED', problems[0]?.message ?? 'Invalid', problems);
    if (current.version !== values.version)
      throw new ClientError(409, 'VERSION_CONFLICT', 'Changed by someone else', [
        { path: 'version', message: 'stale' },
      ]);
    const next = { ...current, ...values, version: Number(current.version) + 1 };
    rows[index] = next;
    return next;
  }

  async remove(module: string, id: string, version: number): Promise<void> {
    const rows = this.table(module);
    const index = rows.findIndex((r) => r.id === id && r.version === version);
    if (index < 0) throw new ClientError(409, 'VERSION_CONFLICT', 'stale');
    rows.splice(index, 1);
  }

  async bulk(
    module: string,
    ops: Parameters<DataClient['bulk']>[1],
  ): Promise<{ created: RecordValues[]; updated: RecordValues[]; deleted: RecordValues[] }> {
    this.calls.push({ method: 'bulk', module, params: ops });
    const created = [];
    const updated = [];
    const deleted = [];
    for (const c of ops.create ?? []) created.push(await this.create(module, c));
    for (const { id, ...u } of ops.update ?? [])
      updated.push(await this.update(module, id, u as RecordValues & { version: number }));
    for (const d of ops.delete ?? []) {
      await this.remove(module, d.id, d.version);
      deleted.push({ id: d.id });
    }
    return { created, updated, deleted };
  }

  async history(
    module: string,
    id: string,
  ): Promise<{ data: RecordValues[]; nextCursor: string | null }> {
    return { data: this.historyRows.get(`${module}:${id}`) ?? [], nextCursor: null };
  }

  async users(q?: string): Promise<UserSummary[]> {
    return this.people.filter((u) => !q || u.name.toLowerCase().includes(q.toLowerCase()));
  }
}
