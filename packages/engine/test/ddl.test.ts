import { fieldColumns, type ModuleDoc } from '@atrium/metadata';
import { describe, expect, it } from 'vitest';
import { stepSql } from '../src/meta/ddl.js';
import { trashName } from '../src/sql-names.js';

describe('trash names', () => {
  it('keep short names readable', () => {
    expect(trashName(7, 'amount')).toBe('r7__amount');
  });

  it('keep two long names with the same beginning apart, within 63 bytes', () => {
    const a = trashName(12, `${'x'.repeat(60)}_a`);
    const b = trashName(12, `${'x'.repeat(60)}_b`);
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(b.length).toBeLessThanOrEqual(63);
  });
});

describe('lookup foreign keys', () => {
  const module: ModuleDoc = {
    kind: 'module',
    name: 'deals',
    fields: [
      { name: 'account', type: 'lookup', target: 'accounts', required: true },
      { name: 'partner', type: 'lookup', target: 'accounts' },
      { name: 'contact', type: 'lookup', target: 'contacts', required: true, onDelete: 'cascade' },
    ],
  };
  const sqlOf = (name: string) => {
    const column = fieldColumns(module).find((c) => c.name === name);
    if (!column) throw new Error(name);
    return stepSql('ws_main', { kind: 'add_foreign_key', module: 'deals', column }, 1).join('\n');
  };

  it('restrict purging the target of a required link, and empty an optional one', () => {
    expect(sqlOf('account')).toContain('on delete restrict');
    expect(sqlOf('partner')).toContain('on delete set null');
  });

  it('follow an explicit onDelete', () => {
    expect(sqlOf('contact')).toContain('on delete cascade');
  });
});

describe('renaming a column', () => {
  const module: ModuleDoc = {
    kind: 'module',
    name: 'deals',
    fields: [
      { name: 'account', type: 'lookup', target: 'accounts' },
      { name: 'number', type: 'autonumber', prefix: 'D-' },
    ],
  };
  const rename = (name: string, to: string) => {
    const from = fieldColumns(module).find((c) => c.name === name);
    if (!from) throw new Error(name);
    return stepSql('ws_main', { kind: 'rename_column', module: 'deals', from, to }, 3);
  };

  it('takes its index, foreign key and history along', () => {
    expect(rename('account', 'company')).toEqual([
      'alter table "ws_main"."deals" rename column "account" to "company"',
      'alter index if exists "ws_main"."deals__account__idx" rename to "deals__company__idx"',
      'alter table "ws_main"."deals" rename constraint "deals__account__fk" to "deals__company__fk"',
      `update "ws_main"."_history" set changes = (changes - 'account') || jsonb_build_object('company', changes -> 'account') where module = 'deals' and changes ? 'account'`,
    ]);
  });

  it('takes the sequence of an autonumber along', () => {
    expect(rename('number', 'ref')).toContain(
      'alter sequence if exists "ws_main"."deals__number__seq" rename to "deals__ref__seq"',
    );
  });
});
