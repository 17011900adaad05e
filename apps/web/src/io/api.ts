import type { Me } from '../api/auth.js';
import { type Problem, refusalOf, saveFile, sendAuthorized } from '../api/files.js';
import { type HttpSession, query } from '../api/http.js';

/** What the list request asks (the export takes the very same parameters). */
export interface ListQuery {
  view?: string;
  sort?: string;
  q?: string;
  filter?: unknown;
}

/** One refusal of an import: where (`rows[12].amount`, `headings[2]`) and what. */
export type { Problem };

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

/** Export and import of a module's records (docs/engine.md "Export and import"). */
export function createIoApi(session: HttpSession) {
  const base = (module: string) => `/api/records/${encodeURIComponent(module)}`;
  return {
    /** The list as a file: fetched with the bearer token, then handed to the browser to save. */
    export: (module: string, list: ListQuery, format: 'csv' | 'xlsx') =>
      saveFile(
        session,
        `${base(module)}/export${query({ ...list, format })}`,
        `${module}.${format}`,
      ),
    /** Sends a CSV; `dryRun` answers what would be created and writes nothing. */
    import: async (module: string, csv: string, dryRun: boolean): Promise<ImportAnswer> => {
      const response = await sendAuthorized(session, `${base(module)}/import${query({ dryRun })}`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: csv,
      });
      if (!response.ok) {
        const { status, error } = await refusalOf(response);
        throw new ImportRefused(error?.message ?? `HTTP ${status}`, error?.details ?? []);
      }
      return (await response.json()) as ImportAnswer;
    },
  };
}
