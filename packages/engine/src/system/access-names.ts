import { type Locale, listIn, type Problem } from '@atrium/metadata';
import type { Snapshot } from '../records/compiled-module.js';

const MESSAGES = {
  role: {
    en: 'no role document is named "{name}"; roles: {known}',
    'zh-CN': '没有名为“{name}”的角色文档；现有角色：{known}',
  },
  profile: {
    en: 'no profile document is named "{name}"; profiles: {known}',
    'zh-CN': '没有名为“{name}”的简档文档；现有简档：{known}',
  },
  none: { en: 'none', 'zh-CN': '无' },
} as const satisfies Record<string, Record<Locale, string>>;

/**
 * Refusals (at `role` and `profile`) for a user's role or profile that no document of the
 * current metadata defines: such a user would silently see nothing, or keep a name that a later
 * document could give powers the administrator never chose. Null (none) is always allowed.
 */
export function accessNameProblems(
  snapshot: Snapshot,
  user: { role?: string | null; profile?: string | null },
  locale: Locale,
): Problem[] {
  const problems: Problem[] = [];
  for (const kind of ['role', 'profile'] as const) {
    const name = user[kind];
    if (name === undefined || name === null) continue;
    const known = snapshot.documents.flatMap((d) => (d.kind === kind ? [d.name] : []));
    if (known.includes(name)) continue;
    const list = known.length > 0 ? listIn(known.sort(), locale) : MESSAGES.none[locale];
    problems.push({
      path: kind,
      message: MESSAGES[kind][locale].replace('{name}', name).replace('{known}', list),
    });
  }
  return problems;
}
