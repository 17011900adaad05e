import type { MetadataDoc } from '@atrium/metadata';
import type { ClientError } from '@atrium/renderer/client';
import type { TFunction } from 'i18next';
import { labelOf, modulesOf } from '../meta.js';

/**
 * A refused restore in words: each detail as "<field>: <why>" (the API's words, already in the
 * user's language), else the error's own message. `fieldLabel` turns a path (`account`,
 * `contacts.account`) into the labels the user knows.
 */
export function refusalText(
  error: ClientError,
  t: TFunction,
  fieldLabel: (path: string) => string,
): string {
  if (error.details.length === 0) return error.message;
  return error.details
    .map((d) =>
      // A refusal about the record itself (`id`: not in the bin) needs no field name.
      d.path === 'id' || d.path === ''
        ? d.message
        : t('bin.problem', { field: fieldLabel(d.path), message: d.message }),
    )
    .join('; ');
}

/**
 * The label of a refusal's path: `account` is a field of `module`; `contacts.account` a field of
 * a record the restore brings back along (written "Contacts › Account").
 */
export function fieldLabeller(
  documents: MetadataDoc[],
  module: string,
  locale: string,
): (path: string) => string {
  const modules = modulesOf(documents);
  const field = (m: string, name: string) => {
    const doc = modules.find((d) => d.name === m);
    const f = doc?.fields.find((x) => x.name === name);
    return { doc, label: labelOf(f?.label, locale, name) };
  };
  return (path) => {
    const [head, tail] = path.split('.', 2) as [string, string | undefined];
    if (tail === undefined) return field(module, head).label;
    const { doc, label } = field(head, tail);
    return `${labelOf(doc?.pluralLabel ?? doc?.label, locale, head)} › ${label}`;
  };
}
