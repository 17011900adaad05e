import type { Label, LayoutDoc, MetadataDoc, ModuleDoc, ViewDoc } from '@atrium/metadata';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Me } from './api/auth.js';
import type { Locale } from './i18n.js';
import { useSession } from './session.js';

/**
 * The text of a metadata label in `locale`, falling back to English, then to the name
 * (the same rule as the metadata package's `labelText`, kept here so the first screen does not
 * load the metadata validators).
 */
export function labelOf(label: Label | undefined, locale: string, fallback: string): string {
  const text = label?.[locale as Locale] ?? label?.en;
  if (text) return text;
  const words = fallback.replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The workspace's documents from `GET /api/meta`, cached for the session. */
export function useMeta() {
  const { api, token } = useSession();
  return useQuery({
    queryKey: ['meta', token],
    queryFn: () => api.meta(),
    enabled: token !== null,
    staleTime: 60_000,
  });
}

/** The signed-in user with their effective time zone. */
export function useMe() {
  const { api, token } = useSession();
  return useQuery<Me>({
    queryKey: ['me', token],
    queryFn: () => api.me(),
    enabled: token !== null,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Documents the pages need, with the language the UI is in. */
export function useWorkspace() {
  const meta = useMeta();
  const me = useMe();
  const { i18n } = useTranslation();
  const documents: MetadataDoc[] = meta.data?.documents ?? [];
  const locale = (i18n.language === 'zh-CN' ? 'zh-CN' : 'en') as Locale;
  return {
    ready: meta.data !== undefined && me.data !== undefined,
    error: meta.error ?? me.error,
    documents,
    locale,
    timeZone: me.data?.effectiveTimeZone ?? 'UTC',
    me: me.data,
  };
}

export const modulesOf = (docs: MetadataDoc[]) =>
  docs.filter((d): d is ModuleDoc => d.kind === 'module');
export const viewsOf = (docs: MetadataDoc[], module: string) =>
  docs.filter((d): d is ViewDoc => d.kind === 'view' && d.module === module);
export const layoutOf = (docs: MetadataDoc[], module: string) =>
  docs.find((d): d is LayoutDoc => d.kind === 'layout' && d.module === module);
