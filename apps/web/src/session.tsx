import type { DataClient } from '@atrium/renderer/client';
import i18next from 'i18next';
import { createContext, type ReactNode, useContext, useMemo, useState } from 'react';
import { type AuthApi, createAuthApi, type Me } from './api/auth.js';
import type { HttpSession } from './api/http.js';
import { createHttpClient } from './api/http-client.js';
import { type Locale, setLocale } from './i18n.js';

const TOKEN = 'atrium.token';
const REFRESH = 'atrium.refresh';

/** The signed-in state every page reads: token, APIs, and sign-in / sign-out. */
export interface Session {
  token: string | null;
  api: AuthApi;
  client: DataClient;
  /** Token, language and refresh for requests outside those two (reports, dashboards). */
  http: HttpSession;
  /** Keeps the token; the language chosen on the sign-in page (if any) becomes the user's. */
  signIn(token: string, user: Me, chosen?: Locale, refreshToken?: string): Promise<void>;
  signOut(): void;
  /** Changes the language of the UI and of metadata labels, and saves it for the user. */
  changeLocale(locale: Locale): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

/** Holds the token (kept in localStorage so a reload stays signed in). */
export function SessionProvider({
  children,
  onSignedOut,
}: {
  children: ReactNode;
  onSignedOut: () => void;
}) {
  const [token, setToken] = useState<string | null>(() => localStorage.getItem(TOKEN));
  const session = useMemo<Session>(() => {
    // One refresh at a time: requests refused together wait for the same new token.
    let refreshing: Promise<boolean> | undefined;
    const signOut = () => {
      localStorage.removeItem(TOKEN);
      localStorage.removeItem(REFRESH);
      setToken(null);
      onSignedOut();
    };
    const http: HttpSession = {
      token: () => localStorage.getItem(TOKEN),
      locale: () => i18next.language || 'en',
      onUnauthorized: signOut,
      refresh: () => {
        refreshing ??= refreshTokens().finally(() => {
          refreshing = undefined;
        });
        return refreshing;
      },
    };
    const api = createAuthApi(http);
    return {
      token,
      api,
      client: createHttpClient(http),
      http,
      signIn: async (next, user, chosen, refreshToken) => {
        localStorage.setItem(TOKEN, next);
        if (refreshToken) localStorage.setItem(REFRESH, refreshToken);
        setToken(next);
        if (chosen && chosen !== user.locale) {
          await setLocale(chosen);
          await api.updateMe({ locale: chosen }).catch(() => undefined);
        } else if (user.locale === 'en' || user.locale === 'zh-CN') await setLocale(user.locale);
      },
      signOut,
      changeLocale: async (locale) => {
        await setLocale(locale);
        if (localStorage.getItem(TOKEN)) await api.updateMe({ locale });
      },
    };
  }, [token, onSignedOut]);
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/** Trades the stored refresh token (rotated on use) for a new access token; false if it cannot. */
async function refreshTokens(): Promise<boolean> {
  const refreshToken = localStorage.getItem(REFRESH);
  if (!refreshToken) return false;
  try {
    const response = await fetch('/api/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
    if (!response.ok) return false;
    const next = (await response.json()) as { token: string; refreshToken: string };
    localStorage.setItem(TOKEN, next.token);
    localStorage.setItem(REFRESH, next.refreshToken);
    return true;
  } catch {
    return false;
  }
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
