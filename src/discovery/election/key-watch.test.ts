import { describe, expect, it } from 'vitest';
import { type KeyEvent, KeyStates } from './key-watch.js';

const put = (value: string, lease = '1'): KeyEvent => ({ type: 'put', value, lease });
const del: KeyEvent = { type: 'delete' };

describe('KeyStates', () => {
  it('passes on states in revision order and drops one older than what was passed on', () => {
    const s = new KeyStates('11');
    expect(s.offer(put('a'), 11n)).toBe(true);
    // a read sent before the watch's delete at 12 answers after it, at 11
    expect(s.offer(del, 12n)).toBe(true);
    expect(s.offer(put('a'), 11n)).toBe(false);
    // a watch event older than a read already passed on
    expect(s.offer(put('b', '2'), 20n)).toBe(true);
    expect(s.offer(del, 15n)).toBe(false);
  });

  it('drops anything before the start revision', () => {
    const s = new KeyStates('11');
    expect(s.offer(del, 10n)).toBe(false);
    expect(s.offer(del, 11n)).toBe(true);
  });

  it('drops a repeat of the last state (a read of an unchanged key) but not a return to an earlier one', () => {
    const s = new KeyStates();
    expect(s.offer(put('a'), 5n)).toBe(true);
    expect(s.offer(put('a'), 9n)).toBe(false);
    expect(s.offer(put('a', '2'), 10n)).toBe(true);
    expect(s.offer(del, 11n)).toBe(true);
    expect(s.offer(del, 14n)).toBe(false);
    expect(s.offer(put('a'), 15n)).toBe(true);
  });

  it('tells a value from a lease: "a b" under lease 1 is not "b" under lease "1 a"', () => {
    const s = new KeyStates();
    expect(s.offer(put('a b', '1'), 1n)).toBe(true);
    expect(s.offer(put('b', '1 a'), 2n)).toBe(true);
  });
});
