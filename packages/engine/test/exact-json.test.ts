import { describe, expect, it } from 'vitest';
import { inexactNumbers } from '../src/records/exact-json.js';

describe('inexactNumbers: numbers a JSON parse would change', () => {
  it('finds each at its path, nested in objects and lists', () => {
    const text = JSON.stringify({
      create: [{ a: 1 }, { a: 2, 'b"[x]': 3, amount: 'X' }],
    }).replace('"X"', '999999999999999.99');
    expect(inexactNumbers(text)).toEqual(['create[1].amount']);
    expect(
      inexactNumbers(
        '{"a":[1,[2,9007199254740993]],"b":{"c":1e400},"d":"1e400 12345678901234567"}',
      ),
    ).toEqual(['a[1][1]', 'b.c']);
    expect(inexactNumbers('12345678901234567')).toEqual(['(body)']);
  });

  it('passes every number a double holds as written', () => {
    for (const n of [
      '0.1',
      '1.50',
      '-0',
      '1e2',
      '1.5E+3',
      '9007199254740991',
      '0.000001',
      '12345678901234.56',
    ])
      expect(inexactNumbers(`{"x":${n},"pad":"00000000000000000"}`), n).toEqual([]);
  });

  it('keeps track of keys with escaped quotes and brackets', () => {
    expect(
      inexactNumbers('{"a\\"]":{"[":0.30000000000000004,"z":0.12345678901234567891}}'),
    ).toEqual(['a"].z']);
  });
});
