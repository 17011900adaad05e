import type { Message } from './messages.js';
import { valueMsg } from './value-messages.js';

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why Postgres could not store `text` — it refuses the NUL character in `text` and `jsonb`, and a
 * lone UTF-16 surrogate in `jsonb` — or undefined when it can.
 * @example unstorableText('a\u0000b') // 'must not contain the NUL character (\\u0000)'
 */
export function unstorableText(text: string): string | undefined {
  return unstorableTextMessage(text)?.message;
}

/** As unstorableText, as a message that can be said in the caller's language. */
export function unstorableTextMessage(text: string): Message | undefined {
  if (text.includes('\u0000')) return valueMsg('nul');
  if (LONE_SURROGATE.test(text)) return valueMsg('loneSurrogate');
  return undefined;
}
