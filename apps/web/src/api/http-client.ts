import type {
  AggregateGroup,
  DataClient,
  ListPage,
  ListParams,
  PendingApproval,
  RecordValues,
} from '@atrium/renderer/client';
import { type HttpSession, query, request } from './http.js';

const records = (module: string) => `/api/records/${encodeURIComponent(module)}`;

/**
 * The renderer's `DataClient` over the HTTP API with `fetch`. The renderer never fetches by
 * itself; the app hands it this, and the admin studio can hand it another.
 */
export function createHttpClient(session: HttpSession): DataClient {
  return {
    list: (module: string, params: ListParams) =>
      request<ListPage>(session, 'GET', `${records(module)}${query({ ...params })}`),
    get: (module, id, options) =>
      request<RecordValues>(
        session,
        'GET',
        `${records(module)}/${encodeURIComponent(id)}${query({ expand: options?.expand })}`,
      ),
    create: (module, values) => request<RecordValues>(session, 'POST', records(module), values),
    update: (module, id, values) =>
      request<RecordValues>(
        session,
        'PATCH',
        `${records(module)}/${encodeURIComponent(id)}`,
        values,
      ),
    remove: async (module, id, version) => {
      await request<unknown>(
        session,
        'DELETE',
        `${records(module)}/${encodeURIComponent(id)}${query({ version })}`,
      );
    },
    bulk: (module, ops) => request(session, 'POST', `${records(module)}/bulk`, ops),
    history: (module, id, cursor) =>
      request(
        session,
        'GET',
        `${records(module)}/${encodeURIComponent(id)}/history${query({ cursor })}`,
      ),
    transition: async (module, id, name, body) => {
      const answer = await request<RecordValues & { approval?: unknown; record?: RecordValues }>(
        session,
        'POST',
        `${records(module)}/${encodeURIComponent(id)}/transitions/${encodeURIComponent(name)}`,
        body,
      );
      // 202: the transition waits for approval; the record comes back unchanged.
      return answer.approval && answer.record ? answer.record : answer;
    },
    pendingApproval: async (module, id) => {
      const list = await request<{ pendingApproval: PendingApproval | null }>(
        session,
        'GET',
        `${records(module)}/${encodeURIComponent(id)}/transitions`,
      );
      return list.pendingApproval ?? null;
    },
    aggregate: async (module, params) => {
      const sum = params.sum && `sum:${params.sum}`;
      const answer = await request<{ currency: string; rows: Record<string, unknown>[] }>(
        session,
        'GET',
        `${records(module)}/aggregate${query({
          groupBy: params.groupBy,
          measures: sum ? `count,${sum}` : 'count',
          filter: params.filter === undefined ? undefined : JSON.stringify(params.filter),
          view: params.view,
        })}`,
      );
      // The server converts money to the workspace's home currency: one sum per group.
      return answer.rows.map(
        (row): AggregateGroup => ({
          key: (row[params.groupBy] as string | null) ?? null,
          count: Number(row.count ?? 0),
          sums: sum ? [{ currency: answer.currency, value: Number(row[sum] ?? 0) }] : [],
        }),
      );
    },
    users: async (q) => {
      const page = await request<{ data: { id: string; name: string; email: string }[] }>(
        session,
        'GET',
        `/api/users${query({ q })}`,
      );
      return page.data;
    },
  };
}
