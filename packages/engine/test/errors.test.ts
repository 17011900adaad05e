import { describe, expect, it } from 'vitest';
import { AtriumError, ERRORS, type ErrorEntry } from '../src/errors.js';

describe('the error catalog', () => {
  it('has a message in English and in Chinese for every code', () => {
    for (const [code, entry] of Object.entries(ERRORS) as [string, ErrorEntry][]) {
      expect(entry.message, code).toMatch(/^[A-Z]/);
      expect(entry['zh-CN'], code).toMatch(/[\u4e00-\u9fff]/);
      expect(entry.status, code).toBeGreaterThanOrEqual(400);
    }
  });

  it("answers in the caller's language, falling back to English", () => {
    const plain = new AtriumError('NOT_FOUND', [{ path: 'id', message: 'no record x' }]);
    expect(plain.toJSON('zh-CN')).toEqual({
      error: {
        code: 'NOT_FOUND',
        message: '记录不存在',
        details: [{ path: 'id', message: 'no record x' }],
      },
    });
    expect(plain.toJSON().error.message).toBe('No such record');
    const own = new AtriumError('FORBIDDEN', [], { en: 'Admins only', 'zh-CN': '仅限管理员' });
    expect(own.localMessage('zh-CN')).toBe('仅限管理员');
    expect(own.message).toBe('Admins only');
    // A message given in English alone stays English for every caller.
    const english = new AtriumError('FORBIDDEN', [], 'Admins only');
    expect(english.localMessage('zh-CN')).toBe('Admins only');
    expect(english.status).toBe(403);
  });
});
