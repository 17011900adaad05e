import type { Locale, MetadataDoc } from '@atrium/metadata';

/** A record as the API sends it: field names to values (an expanded lookup is its target's record). */
export type RecordValues = Record<string, unknown>;

/** The list contract of `GET /api/records/:module`, as the renderer asks for it. */
export interface ListParams {
  filter?: unknown;
  sort?: string;
  limit?: number;
  cursor?: string;
  q?: string;
  expand?: string[];
  fields?: string[];
  count?: boolean;
  view?: string;
}

/** One page of a keyset-paged list. */
export interface ListPage {
  data: RecordValues[];
  nextCursor: string | null;
  count?: { value: number; exact: boolean };
}

/** One refusal detail: the input it belongs to (`amount`, `update[0].version`) and why. */
export interface Problem {
  path: string;
  message: string;
}

/** Thrown by every client method on a 4xx/5xx: the server's error shape. */
export class ClientError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Problem[];

  constructor(status: number, code: string, message: string, details: Problem[] = []) {
    super(message);
    this.name = 'ClientError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** What a board asks of `aggregate`: its grouping, the money field and its filter. */
export interface AggregateParams {
  groupBy: string;
  sum?: string;
  filter?: unknown;
  view?: string;
}

/** One group's figures: `key` is the group's value (null for records without one). */
export interface AggregateGroup {
  key: string | null;
  count: number;
  /** The sum of `sum` per record currency (one entry when the server converts to one). */
  sums: { currency: string | null; value: number }[];
}

/** A user as pickers show them. */
export interface UserSummary {
  id: string;
  name: string;
  email: string;
}

/**
 * Everything the renderer may do with data. Components never fetch on their own: the app gives
 * them an implementation over HTTP, the studio one over a preview, tests one over arrays.
 */
export interface DataClient {
  list(module: string, params: ListParams): Promise<ListPage>;
  get(module: string, id: string, options?: { expand?: string[] }): Promise<RecordValues>;
  create(module: string, values: RecordValues): Promise<RecordValues>;
  update(
    module: string,
    id: string,
    values: RecordValues & { version: number },
  ): Promise<RecordValues>;
  remove(module: string, id: string, version: number): Promise<void>;
  bulk(
    module: string,
    ops: {
      create?: RecordValues[];
      update?: (RecordValues & { id: string; version: number })[];
      delete?: { id: string; version: number }[];
    },
  ): Promise<{ created: RecordValues[]; updated: RecordValues[]; deleted: RecordValues[] }>;
  history(
    module: string,
    id: string,
    cursor?: string,
  ): Promise<{ data: RecordValues[]; nextCursor: string | null }>;
  users(q?: string): Promise<UserSummary[]>;
  /**
   * Figures over whole groups, for kanban headers: per value of `groupBy`, the count and the sum
   * of `sum` by currency (`GET /api/records/:module/aggregate?groupBy=…&measures=count,sum:…`).
   * Optional: without it a board counts each column through the list's `count` and sums only
   * the cards it loaded (shown as "at least").
   */
  aggregate?(module: string, params: AggregateParams): Promise<AggregateGroup[]>;
  /** Runs a blueprint transition (`POST …/:id/transitions/:name`) through the one write path. */
  transition?(
    module: string,
    id: string,
    name: string,
    body: { values?: RecordValues; version: number },
  ): Promise<RecordValues>;
  /**
   * The approval the record waits for (`GET …/:id/transitions` → `pendingApproval`), or null.
   * Optional: without it the path cannot tell a transition that waits for approval from one
   * that ran, and says nothing about it.
   */
  pendingApproval?(module: string, id: string): Promise<PendingApproval | null>;
}

/** A transition held for someone's decision: the record stays where it is until then. */
export interface PendingApproval {
  id: number;
  transition: string;
  requestedBy: string;
  createdAt: string;
}

/** What every component receives besides data: metadata, language, zone, the client. */
export interface RenderContext {
  documents: MetadataDoc[];
  locale: Locale;
  timeZone: string;
  client: DataClient;
  /**
   * Tells the user a write went through (or failed) in a toast the app shows and announces to
   * screen readers: "3 records updated". Absent in previews, where nothing is said.
   */
  notify?(text: string, tone?: 'success' | 'error'): void;
}
