import {
  ajvProblems,
  defineMessages,
  type Locale,
  type Message,
  type Problem,
  pointerToPath,
  valueMsg,
} from '@atrium/metadata';
import type { ErrorObject } from 'ajv';

/**
 * The messages the write path puts in `details[].message`, in every language Atrium speaks.
 * `{name}` placeholders are filled from the parameters. Code that knows the caller's locale
 * uses `msg`; code that does not records the key (`recordMsg.at(path, key)`).
 */
export const recordMsg = defineMessages('records', {
  jsonObject: { en: 'must be a JSON object', 'zh-CN': '必须是 JSON 对象' },
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
 * Ajv errors of a record body as problems, each keyed so the error handler says it in the
 * caller's language: the `value` area's words (shared with document and query checks through
 * ajvProblems) and Ajv's own through the `ajv` area, with two rules of records on top — a
 * currency code's list and a long option list are not spelled out.
 */
export function valueProblems(errors: readonly ErrorObject[] | null | undefined): Problem[] {
  return (errors ?? []).map((e) => {
    const extra =
      e.keyword === 'required'
        ? String(e.params.missingProperty)
        : e.keyword === 'additionalProperties'
          ? String(e.params.additionalProperty)
          : undefined;
    const path = pointerToPath(extra === undefined ? e.instancePath : `${e.instancePath}/${extra}`);
    return { path: path || '(record)', ...messageOf(e, path) };
  });
}

function messageOf(e: ErrorObject, path: string): Message {
  if (e.keyword === 'enum') {
    if (path === 'currency_code') return valueMsg('currencyCode');
    const values = (e.params.allowedValues as unknown[]).filter((v) => v !== null);
    if (values.length > SPELLED_OUT) return valueMsg('notAllowed');
  }
  const [said] = ajvProblems([e]);
  if (!said) return valueMsg('invalid');
  const { path: _, ...message } = said;
  return message;
}
