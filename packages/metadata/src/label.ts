/** The locales every screen and every metadata label works in. */
export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

/** A user-visible text in each locale; a missing locale falls back to English, then to the name. */
export type Label = Partial<Record<Locale, string>>;

/**
 * Picks the text of `label` for `locale`.
 * @example labelText({ en: 'Deals', 'zh-CN': '商机' }, 'zh-CN', 'deals') // '商机'
 */
export function labelText(label: Label | undefined, locale: Locale, fallback: string): string {
  return label?.[locale] ?? label?.en ?? humanize(fallback);
}

function humanize(name: string): string {
  const words = name.replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
