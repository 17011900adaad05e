import { ClientError } from '@atrium/renderer/client';
import type { Me } from '../api/auth.js';
import { type HttpSession, query } from '../api/http.js';

/** What the list request asks (the export takes the very same parameters). */
export interface ListQuery {
  view?: string;
  sort?: string;
  q?: string;
  filter?: unknown;
}

/** One refusal of an import: where (`rows[12].amount`, `headings[2]`) and what. */
export interface Problem {
  path: string;
  message: string;
}

/** The answer of `POST /api/records/:module/import` (a dry run creates nothing). */
export interface ImportAnswer {
  dryRun?: boolean;
  created: number;
  ids: string[];
  ignored?: string[];
  records?: unknown[];
}

/** A refusal with its field paths, as the one error shape sends it. */
export class ImportRefused extends Error {
  constructor(
    message: string,
    readonly details: Problem[],
  ) {
    super(message);
  }
}

type Rights = { export?: boolean; import?: boolean; create?: boolean };
const rights = (me: Me | undefined, module: string) =>
  me?.permissions?.modules[module] as Rights | undefined;

/** True when `me` may export `module`'s records. */
export function mayExport(me: Me | undefined, module: string): boolean {
  return !!me && (me.isAdmin || rights(me, module)?.export === true);
}

/** True when `me` may import into `module` (import needs create too). */
export function mayImport(me: Me | undefined, module: string): boolean {
  const r = rights(me, module);
  return !!me && (me.isAdmin || (r?.import === true && r.create === true));
}

async function send(session: HttpSession, url: string, init: RequestInit = {}) {
  const go = () =>
    fetch(url, {
      ...init,
      headers: {
        ...(init.headers as Record<string, string>),
        authorization: `Bearer ${session.token() ?? ''}`,
        'accept-language': session.locale(),
      },
    });
  let response = await go();
  if (response.status === 401 && (await session.refresh?.())) response = await go();
  return response;
}

async function refusal(response: Response) {
  const body = (await response.json().catch(() => undefined)) as
    | { error?: { code?: string; message?: string; details?: Problem[] } }
    | undefined;
  return { status: response.status, error: body?.error };
}

/** Export and import of a module's records (docs/engine.md "Export and import"). */
export function createIoApi(session: HttpSession) {
  const base = (module: string) => `/api/records/${encodeURIComponent(module)}`;
  return {
    /** The list as a file: fetched with the bearer token, then handed to the browser to save. */
    export: async (module: string, list: ListQuery, format: 'csv' | 'xlsx') => {
      const response = await send(session, `${base(module)}/export${query({ ...list, format })}`);
      if (!response.ok) {
        const { status, error } = await refusal(response);
        throw new ClientError(
          status,
          error?.code ?? `HTTP_${status}`,
          error?.details?.[0]?.message ?? error?.message ?? response.statusText,
        );
      }
      const disposition = response.headers.get('content-disposition') ?? '';
      const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `${module}.${format}`;
      const blob = await response.blob();
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = filename;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    },
    /** Sends a CSV; `dryRun` answers what would be created and writes nothing. */
    import: async (module: string, csv: string, dryRun: boolean): Promise<ImportAnswer> => {
      const response = await send(session, `${base(module)}/import${query({ dryRun })}`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: csv,
      });
      if (!response.ok) {
        const { status, error } = await refusal(response);
        throw new ImportRefused(error?.message ?? `HTTP ${status}`, error?.details ?? []);
      }
      return (await response.json()) as ImportAnswer;
    },
  };
}
