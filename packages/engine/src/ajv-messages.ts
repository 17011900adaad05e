import { defineMessageRenderer } from '@atrium/metadata';
import type { ErrorObject } from 'ajv';
import localizeModule from 'ajv-i18n';

// ajv-i18n is CommonJS: at run time the languages are the module itself, for the type checker
// they sit on `.default`.
type Localizers = (typeof localizeModule)['default'];
const localize: Localizers =
  (localizeModule as unknown as { default?: Localizers }).default ??
  (localizeModule as unknown as Localizers);

/**
 * Ajv's own messages (`ajv.<keyword>`, parameters as Ajv gave them) in the caller's language:
 * ajv-i18n words them from the keyword and its parameters, as Ajv itself does in English.
 */
defineMessageRenderer('ajv', (keyword, params, locale) => {
  if (locale !== 'zh-CN') return undefined;
  const error = { keyword, params, instancePath: '', schemaPath: '' } as unknown as ErrorObject;
  localize.zh([error]);
  return error.message;
});
