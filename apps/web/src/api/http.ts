import { ClientError, type Problem } from '@atrium/renderer/client';

/** What every request needs to know about the session: the token and the user's language. */
export interface HttpSession {
  token(): string | null;
  locale(): string;
  /** Called on a 401 to a signed-in request: the session is over. */
  onUnauthorized(): void;
  /**
   * Trades the refresh token for a new access token (access tokens are short-lived); true when
   * it did, so the refused request is sent once more.
   */
  refresh?(): Promise<boolean>;
}

/**
 * One JSON request to the API. Sends the bearer token and `Accept-Language` (so refusals come
 * back in the user's language) and turns the server's error shape into a `ClientError`.
 */
export async function request<T>(
  session: HttpSession,
  method: string,
  url: string,
  body?: unknown,
  retried = false,
): Promise<T> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'accept-language': session.locale(),
  };
  const token = session.token();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (e) {
    throw clientError(0, 'NETWORK', e instanceof Error ? e.message : String(e), []);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    if (response.status === 401 && token) {
      if (!retried && (await session.refresh?.())) return request(session, method, url, body, true);
      session.onUnauthorized();
    }
    const error = (parsed as { error?: { code?: string; message?: string; details?: Problem[] } })
      ?.error;
    throw clientError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? (text || response.statusText),
      Array.isArray(error?.details) ? error.details : [],
    );
  }
  return parsed as T;
}

function clientError(status: number, code: string, message: string, details: Problem[]) {
  return new ClientError(status, code, message, details);
}

/** A query string from defined values; arrays are comma-joined, objects JSON-encoded. */
export function query(params: Record<string, unknown>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length > 0) search.set(key, value.join(','));
    } else if (typeof value === 'object') search.set(key, JSON.stringify(value));
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
