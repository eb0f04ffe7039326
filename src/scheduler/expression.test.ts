import { describe, expect, it } from 'vitest';
import { compilePattern, formatExpression, matchesAny, matchesOne, parseExpression } from './expression.js';

describe('parseExpression', () => {
  it.each([
    ['region==eu', 'region', '==', 'eu', false],
    ['region!=eu', 'region', '!=', 'eu', false],
    ['region==~eu', 'region', '==', 'eu', true],
    ['node!=~n1', 'node', '!=', 'n1', true],
    ['com.example.zone==a-1', 'com.example.zone', '==', 'a-1', false],
    ['_k==v', '_k', '==', 'v', false],
    ['image==sha256:abc', 'image', '==', 'sha256:abc', false],
    ['node==/(?i)NODE1/', 'node', '==', '/(?i)NODE1/', false],
    ['kk==a b', 'kk', '==', 'a b', false],
    ['kk==n1|n2', 'kk', '==', 'n1|n2', false],
    ['kk===v', 'kk', '==', '=v', false],
    // The first `==` wins even when `!=` comes earlier: the key is then `a!=b`, which is invalid (next table).
    ['KK==v', 'KK', '==', 'v', false],
  ])('%s', (text, key, op, value, soft) => {
    const e = parseExpression(text);
    expect({ key: e.key, op: e.op, value: e.value, soft: e.soft, text: e.text }).toEqual({
      key,
      op,
      value,
      soft,
      text,
    });
  });

  it.each([
    ['region=eu', /One of operator ==, != is expected/],
    ['region', /One of operator ==, != is expected/],
    ['a!=b==c', /Key 'a!=b' is invalid/],
    ['rr==', /Value '' is invalid/],
    ['1region==eu', /Key '1region' is invalid/],
    ['r==eu', /Key 'r' is invalid/], // keys need two characters at least
    ['region==e,u', /Value 'e,u' is invalid/],
    ['region==e{1}', /Value 'e\{1\}' is invalid/],
    ['==eu', /Key '' is invalid/],
    ['node==/[/', /Value '\/\[\/' is not a valid regular expression/],
    ['node==~/(/', /Value '~\/\(\/' is not a valid regular expression/],
  ])('rejects %j', (text, msg) => {
    expect(() => parseExpression(text)).toThrow(msg);
    try {
      parseExpression(text);
    } catch (err) {
      expect((err as { httpStatus: number }).httpStatus).toBe(400);
    }
  });

  it('formats without the soft marker, as Swarm lists conditions', () => {
    expect(formatExpression(parseExpression('region!=~us*'))).toBe('region!=us*');
  });
});

describe('matching', () => {
  it.each([
    // globs: anchored, only `*` is special
    ['kk==eu', 'eu', true],
    ['kk==eu', 'eu-west', false],
    ['kk==eu*', 'eu-west', true],
    ['kk==*west', 'eu-west', true],
    ['kk==*', '', true],
    ['kk==e*t', 'eu-west', true],
    // kept quirk: other regex characters keep their meaning in globs
    ['kk==eu.1', 'eux1', true],
    ['kk==node[12]', 'node2', true],
    ['kk==node[12]', 'node3', false],
    ['kk==a+', 'aaa', true],
    ['kk==a|b', 'b', true],
    ['kk==(', '(', false], // not a valid regex: matches nothing
    ['kk!=(', '(', true], // ... so != passes
    // regex: unanchored
    ['kk==/node[12]/', 'xnode1y', true],
    ['kk==/^node$/', 'node1', false],
    ['kk==/(?i)NODE1/', 'node1', true],
    ['kk==/NODE1/', 'node1', false],
    ['kk==/(?is)a.b/', 'A\nB', true],
    ['kk==/(?U)a/', 'a', false], // RE2 flag without a JavaScript equivalent: does not compile
    ['kk!=/(?U)a/', 'a', true],
    // case-sensitive globs
    ['kk==EU', 'eu', false],
    ['kk!=eu', 'eu', false],
    ['kk!=eu', 'us', true],
  ])('%s against %j → %s', (text, value, want) => {
    const e = parseExpression(text);
    expect(matchesOne(e, value)).toBe(want);
    expect(matchesAny(e, [value])).toBe(want);
  });

  it('== passes if any value matches, != if none does; no values: == fails, != passes', () => {
    const eq = parseExpression('kk==a*');
    const ne = parseExpression('kk!=a*');
    expect(matchesAny(eq, ['x', 'ab'])).toBe(true);
    expect(matchesAny(ne, ['x', 'ab'])).toBe(false);
    expect(matchesAny(eq, [])).toBe(false);
    expect(matchesAny(ne, [])).toBe(true);
  });

  it('compiles hand-built expressions on use', () => {
    const e = { key: 'kk', op: '==' as const, value: 'a*', soft: false, text: 'kk==a*' };
    expect(matchesAny(e, ['abc'])).toBe(true);
    expect(compilePattern('/')).toEqual(/^\/$/);
  });
});
