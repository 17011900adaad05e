import { defineMessages } from './messages.js';

/**
 * What is wrong with one value — of a record, a query parameter, a document property — in the
 * words Atrium uses instead of Ajv's (required, unknown field, enum, scale, patterns, text that
 * Postgres cannot store). Ajv's remaining messages are rendered by the `ajv` area (ajv-i18n).
 */
export const valueMsg = defineMessages('value', {
  required: { en: 'is required', 'zh-CN': '必填' },
  unknownField: { en: 'is not a known field', 'zh-CN': '不是已知字段' },
  tooManyDecimals: { en: 'has too many decimal places', 'zh-CN': '小数位数过多' },
  oneOf: { en: 'must be one of {values}', 'zh-CN': '必须是以下之一：{values}' },
  invalid: { en: 'is invalid', 'zh-CN': '无效' },
  notLinearPattern: {
    en: 'is not a pattern that can be checked in linear time (backreferences and lookarounds are not supported)',
    'zh-CN': '不是可在线性时间内检查的正则表达式（不支持反向引用和环视）',
  },
  notLinearPatternBecause: {
    en: 'is not a pattern that can be checked in linear time (backreferences and lookarounds are not supported): {reason}',
    'zh-CN': '不是可在线性时间内检查的正则表达式（不支持反向引用和环视）：{reason}',
  },
  nul: {
    en: 'must not contain the NUL character (\\u0000)',
    'zh-CN': '不能包含 NUL 字符（\\u0000）',
  },
  loneSurrogate: {
    en: 'must be valid Unicode text (it holds a lone surrogate)',
    'zh-CN': '必须是有效的 Unicode 文本（其中含有孤立的代理字符）',
  },
  notAllowed: { en: 'is not one of the allowed values', 'zh-CN': '不是允许的值' },
  currencyCode: {
    en: 'is not an active ISO 4217 currency code',
    'zh-CN': '不是有效的 ISO 4217 币种代码',
  },
  notCurrencyCode: {
    en: '"{code}" is not an active ISO 4217 code',
    'zh-CN': '“{code}”不是有效的 ISO 4217 币种代码',
  },
});
