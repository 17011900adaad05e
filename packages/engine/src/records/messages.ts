import { defineMessages, type Locale, type Problem, pointerToPath } from '@atrium/metadata';
import type { ErrorObject } from 'ajv';
import localizeModule from 'ajv-i18n';

// ajv-i18n is CommonJS: at run time the languages are the module itself, for the type checker
// they sit on `.default`.
type Localizers = (typeof localizeModule)['default'];
const localize: Localizers =
  (localizeModule as unknown as { default?: Localizers }).default ??
  (localizeModule as unknown as Localizers);

/**
 * The messages the write path puts in `details[].message`, in every language Atrium speaks.
 * `{name}` placeholders are filled from the parameters. Code that knows the caller's locale
 * uses `msg`; code that does not records the key (`recordMsg.at(path, key)`).
 */
export const recordMsg = defineMessages('records', {
  required: { en: 'is required', 'zh-CN': '必填' },
  unknownField: { en: 'is not a known field', 'zh-CN': '不是已知字段' },
  tooManyDecimals: { en: 'has too many decimal places', 'zh-CN': '小数位数过多' },
  oneOf: { en: 'must be one of {values}', 'zh-CN': '必须是以下之一：{values}' },
  notAllowed: { en: 'is not one of the allowed values', 'zh-CN': '不是允许的值' },
  currencyCode: {
    en: 'is not an active ISO 4217 currency code',
    'zh-CN': '不是有效的 ISO 4217 币种代码',
  },
  jsonObject: { en: 'must be a JSON object', 'zh-CN': '必须是 JSON 对象' },
  nul: { en: 'must not contain NUL characters (\\u0000)', 'zh-CN': '不能包含 NUL 字符（\\u0000）' },
  inexactNumber: {
    en: 'cannot be held exactly as a number; send it with fewer digits',
    'zh-CN': '无法精确表示为数字，请减少位数',
  },
  lookupMissing: {
    en: 'points to a record that does not exist',
    'zh-CN': '指向的记录不存在',
  },
  lookupInBin: {
    en: 'points to a record in the recycle bin; restore it first',
    'zh-CN': '指向的记录在回收站中，请先恢复该记录',
  },
  referenced: {
    en: '{count} record(s) of {module} refer to it through {field}',
    'zh-CN': '{module} 中有 {count} 条记录通过 {field} 引用它',
  },
  notAUser: { en: 'is not a user', 'zh-CN': '不是用户' },
  versionConflict: {
    en: 'the record is at version {current}, not {sent}',
    'zh-CN': '记录当前版本为 {current}，而不是 {sent}',
  },
  notFound: { en: 'record {id} does not exist', 'zh-CN': '记录 {id} 不存在' },
  inBin: {
    en: 'record {id} is in the recycle bin; restore it first',
    'zh-CN': '记录 {id} 在回收站中，请先恢复',
  },
  alreadyInBin: {
    en: 'record {id} is already in the recycle bin',
    'zh-CN': '记录 {id} 已在回收站中',
  },
  notInBin: { en: 'record {id} is not in the recycle bin', 'zh-CN': '记录 {id} 不在回收站中' },
  readOnlyRecord: {
    en: 'you may read record {id} but not change it',
    'zh-CN': '您可以查看记录 {id}，但不能更改它',
  },
  maskedField: { en: 'you may not change this field', 'zh-CN': '您不能更改此字段' },
  bulkTooMany: {
    en: 'at most {max} operations in one request, not {count}',
    'zh-CN': '一次请求最多 {max} 个操作，而不是 {count} 个',
  },
  bulkTwice: {
    en: 'record {id} is also written at {other}',
    'zh-CN': '记录 {id} 在 {other} 中也被写入',
  },
  bulkList: { en: 'must be a list', 'zh-CN': '必须是列表' },
  duplicate: { en: 'is already used by another record', 'zh-CN': '已被其他记录使用' },
  badValue: { en: 'value out of range', 'zh-CN': '值超出范围或格式无效' },
});

export type MessageKey = Parameters<typeof recordMsg>[0];

/** A message in `locale`, placeholders filled in. */
export function msg(
  locale: Locale,
  key: MessageKey,
  params: Record<string, string | number> = {},
): string {
  return recordMsg.text(locale, key, params);
}

/** Lists longer than this are not spelled out in a message (currency codes, big picklists). */
const SPELLED_OUT = 20;

/**
 * Ajv errors of a record body as problems in the caller's language: Ajv's own wording through
 * ajv-i18n, ours for the keywords we name differently (required, unknown field, enum, scale).
 */
export function valueProblems(
  errors: readonly ErrorObject[] | null | undefined,
  locale: Locale,
): Problem[] {
  const list = [...(errors ?? [])];
  if (locale === 'zh-CN') localize.zh(list);
  return list.map((e) => {
    const extra =
      e.keyword === 'required'
        ? String(e.params.missingProperty)
        : e.keyword === 'additionalProperties'
          ? String(e.params.additionalProperty)
          : undefined;
    const path = pointerToPath(extra === undefined ? e.instancePath : `${e.instancePath}/${extra}`);
    return { path: path || '(record)', message: messageOf(e, path, locale) };
  });
}

function messageOf(e: ErrorObject, path: string, locale: Locale): string {
  switch (e.keyword) {
    case 'required':
      return msg(locale, 'required');
    case 'additionalProperties':
      return msg(locale, 'unknownField');
    case 'decimalScale':
      return msg(locale, 'tooManyDecimals');
    case 'enum': {
      if (path === 'currency_code') return msg(locale, 'currencyCode');
      const values = (e.params.allowedValues as unknown[]).filter((v) => v !== null);
      return values.length > SPELLED_OUT
        ? msg(locale, 'notAllowed')
        : msg(locale, 'oneOf', { values: JSON.stringify(values) });
    }
    default:
      return e.message ?? 'is invalid';
  }
}
