import { describe, expect, it } from 'vitest';
import { listIn, messageIn, valueMsg } from '../src/index.js';

describe('list parameters of a message', () => {
  it('are joined as each language writes a list', () => {
    const m = valueMsg('oneOf', { values: ['open', 'won', 'lost'] });
    expect(m.message).toBe('must be one of open, won, lost');
    expect(messageIn(m, 'zh-CN')).toBe('必须是以下之一：open、won、lost');
    expect(listIn([1, 2], 'zh-CN')).toBe('1、2');
  });

  it('keep other values as they are', () => {
    expect(valueMsg('oneOf', { values: 'a, b' }).message).toBe('must be one of a, b');
  });
});
