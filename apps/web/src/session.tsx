import type { DataClient } from '@atrium/renderer/client';
import i18next from 'i18next';
import { createContext, type ReactNode, useContext, useMemo, useState } from 'react';
import { type AuthApi, createAuthApi, type Me } from './api/auth.js';
import type { HttpSession } from './api/http.js';
import { createHttpClient } from './api/http-client.js';
import { type Locale, setLocale } from './i18n.js';

const TOKEN = 'atrium.token';

/** The signed-in state every page reads: token, APIs, and sign-in / sign-out. */
export interface Session {
  token: string | null;
  api: AuthApi;
  client: DataClient;
  /** Keeps the token; the language chosen on the sign-in page (if any) becomes the user's. */
  signIn(token: string, user: Me, chosen?: Locale): Promise<void>;
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
    const signOut = () => {
      localStorage.removeItem(TOKEN);
      setToken(null);
      onSignedOut();
    };
    const http: HttpSession = {
      token: () => localStorage.getItem(TOKEN),
      locale: () => i18next.language || 'en',
      onUnauthorized: signOut,
    };
    const api = createAuthApi(http);
    return {
      token,
      api,
      client: createHttpClient(http),
      signIn: async (next, user, chosen) => {
        localStorage.setItem(TOKEN, next);
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

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
