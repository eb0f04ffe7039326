import { describe, expect, it } from 'vitest';
import { expandRange, parseEntryLines, parseEntryList, validateHostPort } from './ranges.js';

describe('expandRange', () => {
  it.each([
    ['10.0.0.[10:12]:2375', ['10.0.0.10:2375', '10.0.0.11:2375', '10.0.0.12:2375']],
    ['192.168.1.2:[2:4]375', ['192.168.1.2:2375', '192.168.1.2:3375', '192.168.1.2:4375']],
    ['1.2.3.4:2375', ['1.2.3.4:2375']],
    ['10.0.0.[a:b]:2375', ['10.0.0.[a:b]:2375']],
    ['10.0.0.[5:5]:1', ['10.0.0.5:1']],
    ['10.0.0.[6:5]:1', ['10.0.0.[6:5]:1']],
    ['h[1:2]:[1:2]', ['h1:[1:2]', 'h2:[1:2]']],
  ])('%s', (input, out) => {
    expect(expandRange(input)).toEqual(out);
  });
});

describe('validateHostPort', () => {
  it.each(['1.2.3.4:2375', 'node-1:1', 'example.org:65535', '[::1]:2375'])('accepts %s', (e) => {
    expect(validateHostPort(e)).toBe(e);
  });
  it.each(['1.2.3.4', ':2375', '1.2.3.4:0', '1.2.3.4:65536', 'a:b', 'a b:1', ''])('rejects %s', (e) => {
    expect(() => validateHostPort(e)).toThrow(/expected host:port/);
  });
});

describe('parseEntryLines', () => {
  it('trims, drops comments and blank lines, expands ranges', () => {
    const text =
      '# engines\n  10.0.0.1:2375  \n\n10.0.0.[2:3]:2375 # two more\n   # indented comment\r\nhost:1\n';
    expect(parseEntryLines(text)).toEqual(['10.0.0.1:2375', '10.0.0.2:2375', '10.0.0.3:2375', 'host:1']);
  });
  it('rejects a bad line', () => {
    expect(() => parseEntryLines('10.0.0.1:2375\nnot-an-entry\n')).toThrow('invalid entry "not-an-entry"');
  });
  it('accepts an empty file', () => {
    expect(parseEntryLines('# nothing\n\n')).toEqual([]);
  });
});

describe('parseEntryList', () => {
  it('splits on commas and expands ranges', () => {
    expect(parseEntryList('a:1, b:[2:3]')).toEqual(['a:1', 'b:2', 'b:3']);
  });
  it('rejects an empty list', () => {
    expect(() => parseEntryList(' , ')).toThrow('empty node list');
  });
});
