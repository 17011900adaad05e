import { ClientError } from '@atrium/renderer/client';
import type { HttpSession } from './http.js';

/** One refusal detail of the one error shape: where and what. */
export interface Problem {
  path: string;
  message: string;
}

/**
 * A request with the session's bearer token and language, sent once more after a refresh when
 * the token had expired — for what `request` (JSON in, JSON out) does not carry: files both ways.
 */
export async function sendAuthorized(
  session: HttpSession,
  url: string,
  init: RequestInit = {},
): Promise<Response> {
  const go = () =>
    fetch(url, {
      ...init,
      headers: {
        ...(init.headers as Record<string, string>),
        authorization: `Bearer ${session.token() ?? ''}`,
        'accept-language': session.locale(),
      },
    });
  const response = await go();
  return response.status === 401 && (await session.refresh?.()) ? go() : response;
}

/** The error of a refused response, as the one error shape sends it (if it does). */
export async function refusalOf(response: Response) {
  const body = (await response.json().catch(() => undefined)) as
    | { error?: { code?: string; message?: string; details?: Problem[] } }
    | undefined;
  return { status: response.status, error: body?.error };
}

/**
 * Fetches a file the API serves behind the bearer token (a plain link cannot send it) and hands
 * it to the browser to save under the name the server gives, else `fallbackName`. A refusal
 * throws a ClientError saying its first detail, else its message.
 */
export async function saveFile(
  session: HttpSession,
  url: string,
  fallbackName: string,
): Promise<void> {
  const response = await sendAuthorized(session, url);
  if (!response.ok) {
    const { status, error } = await refusalOf(response);
    throw new ClientError(
      status,
      error?.code ?? `HTTP_${status}`,
      error?.details?.[0]?.message ?? error?.message ?? response.statusText,
      error?.details ?? [],
    );
  }
  const disposition = response.headers.get('content-disposition') ?? '';
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const blob = await response.blob();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
