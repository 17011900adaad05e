import type { FieldDef } from '@atrium/metadata';
import { describe, expect, it } from 'vitest';
import { columnSize, textWidth } from '../src/column-size.js';

const stage: FieldDef = {
  name: 'stage',
  type: 'picklist',
  label: { en: 'Stage', 'zh-CN': '阶段' },
  options: [
    { value: 'lead', label: { en: 'Lead', 'zh-CN': '线索' } },
    { value: 'proposal', label: { en: 'Proposal / quote', 'zh-CN': '方案报价' } },
  ],
};

describe('list column widths', () => {
  it('open a picklist as wide as its longest option in the reader’s language', () => {
    expect(textWidth('方案报价')).toBe(56);
    // 'Proposal / quote' (16 characters) with its chip and the cell's edit button.
    expect(columnSize(stage, 'en', false)).toBe(textWidth('Proposal / quote') + 74);
    expect(columnSize(stage, 'zh-CN', false)).toBe(56 + 74);
  });

  it('keep a heading whole, give the name room, and stay within bounds', () => {
    const flag: FieldDef = {
      name: 'priority',
      type: 'boolean',
      label: { en: 'Is a priority account' },
    };
    expect(columnSize(flag, 'en', false)).toBe(textWidth('Is a priority account') + 36);
    expect(columnSize({ name: 'name', type: 'text' }, 'en', true)).toBe(220);
    const many: FieldDef = { ...stage, options: [{ value: 'x'.repeat(80) }] };
    expect(columnSize(many, 'en', false)).toBe(280);
    expect(columnSize({ name: 'n', type: 'integer' }, 'en', false)).toBe(120);
  });
});
