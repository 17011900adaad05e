import type { ListPage, RecordValues } from '@atrium/renderer/client';
import { type HttpSession, query, request } from './http.js';

const records = (module: string) => `/api/records/${encodeURIComponent(module)}`;

/**
 * The recycle bin of a module over the HTTP API: `GET …?deleted=only` (keyset-paged, newest
 * deletion first; the bin index makes it cheap) and `POST …/:id/restore`, which needs the
 * profile's `delete` right and brings back what the delete took along by cascade.
 */
export function createBinApi(session: HttpSession) {
  return {
    list: (module: string, cursor?: string, limit = 50) =>
      request<ListPage>(
        session,
        'GET',
        `${records(module)}${query({ deleted: 'only', sort: '-deleted_at', limit, cursor })}`,
      ),
    restore: (module: string, id: string) =>
      request<RecordValues>(
        session,
        'POST',
        `${records(module)}/${encodeURIComponent(id)}/restore`,
      ),
  };
}

export type BinApi = ReturnType<typeof createBinApi>;
