import { defineMessageRenderer, type Label, labelText, type Message } from '@atrium/metadata';

/**
 * A label of metadata (a transition's, a field's) said inside a message in the caller's
 * language: `label.named` is "Qualify (qualify)" — the label in the locale, else the name — so
 * a refusal listing labels is rendered by the error handler like any other.
 */
defineMessageRenderer('label', (key, params, locale) =>
  key === 'named'
    ? `${labelText(params.label as Label | undefined, locale, String(params.name))} (${String(params.name)})`
    : undefined,
);

/** `label (name)` as a message parameter. */
export function namedLabel(label: Label | undefined, name: string): Message {
  return {
    message: `${labelText(label, 'en', name)} (${name})`,
    key: 'label.named',
    params: { label: label ?? {}, name },
  };
}
