import type { MetadataDoc } from '@atrium/metadata';
import { type HttpSession, request } from './http.js';

/** The signed-in user as `GET /api/auth/me` returns them. */
export interface Me {
  id: string;
  email: string;
  name: string | null;
  isAdmin: boolean;
  locale: string | null;
  timeZone: string | null;
  /** Their own zone, else the workspace's. */
  effectiveTimeZone: string;
  /** What their profile allows per module (only modules they may do anything in are listed). */
  permissions?: { admin: boolean; modules: Record<string, { delete?: boolean }> };
}

/** True when `me` may delete in `module`, and so open its recycle bin and restore from it. */
export function mayDelete(me: Me | undefined, module: string): boolean {
  if (!me) return false;
  return me.isAdmin || me.permissions?.modules[module]?.delete === true;
}

/** Calls outside the records client: sign-in, preferences, metadata. */
export function createAuthApi(session: HttpSession) {
  return {
    login: (email: string, password: string) =>
      request<{ token: string; refreshToken?: string; user: Me }>(
        session,
        'POST',
        '/api/auth/login',
        {
          email,
          password,
        },
      ),
    me: () => request<Me>(session, 'GET', '/api/auth/me'),
    updateMe: (patch: { locale?: string; timeZone?: string | null }) =>
      request<Me>(session, 'PATCH', '/api/auth/me', patch),
    meta: () =>
      request<{ revision: number; documents: MetadataDoc[] }>(session, 'GET', '/api/meta'),
  };
}

export type AuthApi = ReturnType<typeof createAuthApi>;
