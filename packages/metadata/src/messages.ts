import type { Locale } from './label.js';

/** The values a message's `{name}` placeholders are filled from. */
export type MessageParams = Readonly<Record<string, unknown>>;

/**
 * Something said to a user that can be said in every locale: the English text (what logs, the
 * CLI and an English caller read) and, when it comes from a catalog, the key and parameters that
 * render it in another language once the caller's locale is known.
 */
export interface Message {
  message: string;
  /** `area.name` in a catalog made by defineMessages (or a renderer's area). */
  key?: string;
  params?: MessageParams;
}

/** One problem with a document or a value: where it is and what is wrong. */
export interface Problem extends Message {
  path: string;
}

/** A catalog: each key's text in every locale, `{name}` placeholders filled from the parameters. */
export type MessageCatalog = Readonly<Record<string, Readonly<Record<Locale, string>>>>;

/** Renders a key of an area that is not a plain catalog (Ajv's own messages); undefined: unknown. */
export type MessageRenderer = (
  name: string,
  params: MessageParams,
  locale: Locale,
) => string | undefined;

// Static tables filled when the modules that define them load; never changed afterwards.
const CATALOGS = new Map<string, MessageCatalog>();
const RENDERERS = new Map<string, MessageRenderer>();

/** The messages of one area, as `say(key, params)` and `say.at(path, key, params)`. */
export interface Messages<K extends string> {
  /** The message for `key`: English text now, the key kept for rendering in the caller's locale. */
  (key: K, params?: MessageParams): Message;
  /** A problem at `path` with the message for `key`. */
  at(path: string, key: K, params?: MessageParams): Problem;
  /** The text for `key` in `locale`, for code that knows the locale already. */
  text(locale: Locale, key: K, params?: MessageParams): string;
}

/**
 * Declares the messages of one area (`list`, `documents`, `users` …), en and zh-CN side by side,
 * and returns the function that says them. Where a refusal is built no locale is needed: the
 * problem carries the key, and the error handler renders it in the caller's language.
 * @example
 * const say = defineMessages('list', { badLimit: { en: 'must be from 1 to {max}', 'zh-CN': '必须在 1 到 {max} 之间' } });
 * throw new AtriumError('INVALID_QUERY', [say.at('limit', 'badLimit', { max: 200 })]);
 */
export function defineMessages<const C extends MessageCatalog>(
  area: string,
  catalog: C,
): Messages<keyof C & string> {
  if (CATALOGS.has(area) || RENDERERS.has(area))
    throw new Error(`message area "${area}" is defined twice`);
  CATALOGS.set(area, catalog);
  const text = (locale: Locale, key: keyof C & string, params: MessageParams = {}) =>
    fill((catalog[key] as Record<Locale, string>)[locale], params, locale);
  const say = (key: keyof C & string, params?: MessageParams): Message =>
    params === undefined
      ? { message: text('en', key), key: `${area}.${key}` }
      : { message: text('en', key, params), key: `${area}.${key}`, params };
  return Object.assign(say, {
    at: (path: string, key: keyof C & string, params?: MessageParams): Problem => ({
      path,
      ...say(key, params),
    }),
    text,
  });
}

/** Declares an area whose messages come from elsewhere (Ajv's, through ajv-i18n). */
export function defineMessageRenderer(area: string, render: MessageRenderer): void {
  if (CATALOGS.has(area) || RENDERERS.has(area))
    throw new Error(`message area "${area}" is defined twice`);
  RENDERERS.set(area, render);
}

/** A message in `locale`: its key rendered there, else the English text it carries. */
export function messageIn(m: Message, locale: Locale): string {
  if (locale === 'en' || m.key === undefined) return m.message;
  const dot = m.key.indexOf('.');
  const area = m.key.slice(0, dot);
  const name = m.key.slice(dot + 1);
  const entry = CATALOGS.get(area)?.[name];
  if (entry) return fill(entry[locale], m.params ?? {}, locale);
  return RENDERERS.get(area)?.(name, m.params ?? {}, locale) ?? m.message;
}

/** Problems as the API sends them, `{ path, message }`, each message in `locale`. */
export function problemsIn(problems: readonly Problem[], locale: Locale): Problem[] {
  return problems.map((p) => ({ path: p.path, message: messageIn(p, locale) }));
}

/** Every catalog defined so far, by area: for the test that each key speaks every locale. */
export function messageCatalogs(): ReadonlyMap<string, MessageCatalog> {
  return CATALOGS;
}

/** How the items of a list parameter (an array of messages, names or numbers) are joined. */
const LIST_SEPARATOR: Record<Locale, string> = { en: ', ', 'zh-CN': '、' };

/** Names or numbers as a list in `locale`: `a, b` in English, `a、b` in Chinese. */
export function listIn(items: readonly (string | number)[], locale: Locale): string {
  return items.join(LIST_SEPARATOR[locale]);
}

/** A parameter that is itself a message (`{why}` in "has a name that {why}") is said in `locale` too. */
function isMessage(v: unknown): v is Message {
  return typeof v === 'object' && v !== null && typeof (v as Message).message === 'string';
}

function fill(template: string, params: MessageParams, locale: Locale): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    if (v === undefined) return whole;
    if (isMessage(v)) return messageIn(v, locale);
    if (Array.isArray(v) && v.every(isMessage))
      return v.map((m) => messageIn(m, locale)).join(LIST_SEPARATOR[locale]);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number'))
      return listIn(v, locale);
    return typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v);
  });
}
