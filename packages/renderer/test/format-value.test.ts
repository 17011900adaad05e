import type { FieldDef } from '@atrium/metadata';
import { describe, expect, it } from 'vitest';
import { formatValue } from '../src/format-value.js';

const zh = { locale: 'zh-CN' as const, timeZone: 'Asia/Shanghai' };
const en = { locale: 'en' as const, timeZone: 'America/New_York' };
const stage: FieldDef = {
  name: 'stage',
  type: 'picklist',
  options: [{ value: 'closed_won', label: { en: 'Closed won', 'zh-CN': '赢单' } }],
};

describe('formatValue', () => {
  it('writes money with its currency in each locale', () => {
    const amount: FieldDef = { name: 'amount', type: 'currency' };
    expect(formatValue(amount, 1200000, { ...zh, currency: 'CNY' })).toBe('¥1,200,000.00');
    expect(formatValue(amount, 1200, { ...en, currency: 'USD' })).toBe('$1,200.00');
  });

  it('writes dates as each language does, with no zone shift for a plain date', () => {
    const close: FieldDef = { name: 'close', type: 'date' };
    expect(formatValue(close, '2026-11-27', zh)).toBe('2026/11/27');
    expect(formatValue(close, '2026-11-27', en)).toBe('Nov 27, 2026');
  });

  it('writes a list of values as each language writes a list', () => {
    const many: FieldDef = { ...stage, name: 'stages', type: 'multipicklist' };
    expect(formatValue(many, ['closed_won', 'closed_won'], zh)).toBe('赢单、赢单');
    expect(formatValue(many, ['closed_won', 'closed_won'], en)).toBe('Closed won, Closed won');
    expect(formatValue({ name: 't', type: 'tags' }, ['重点客户', '华南'], zh)).toBe(
      '重点客户、华南',
    );
  });

  it('writes a datetime on the user’s clock', () => {
    const at: FieldDef = { name: 'at', type: 'datetime' };
    expect(formatValue(at, '2026-11-27T01:30:00.000Z', zh)).toBe('2026/11/27 09:30');
    expect(formatValue(at, '2026-11-27T01:30:00.000Z', en)).toBe('Nov 26, 2026, 20:30');
  });

  it('writes percent, booleans, picklist labels and formulas by what they return', () => {
    expect(formatValue({ name: 'p', type: 'percent' }, 35, en)).toBe('35%');
    expect(formatValue({ name: 'b', type: 'boolean' }, true, zh)).toBe('是');
    expect(formatValue({ name: 'b', type: 'boolean' }, false, en)).toBe('No');
    expect(formatValue(stage, 'closed_won', zh)).toBe('赢单');
    expect(formatValue(stage, 'closed_won', en)).toBe('Closed won');
    const expected: FieldDef = { name: 'e', type: 'formula', returns: 'currency' };
    expect(formatValue(expected, 420000, { ...zh, currency: 'CNY' })).toBe('¥420,000.00');
    expect(formatValue({ name: 'n', type: 'integer' }, 1234567, en)).toBe('1,234,567');
    expect(formatValue({ name: 'x', type: 'text' }, null, en)).toBe('');
  });
});
