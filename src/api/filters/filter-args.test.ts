import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../util/errors.js';
import { FilterParseError, parseFilterArgs, withFilters } from './filter-args.js';

describe('parseFilterArgs', () => {
  it('reads both shapes, and an empty value or JSON null as no filter', () => {
    expect([...parseFilterArgs('{"name":{"web":true},"label":["a=b"]}')]).toEqual([
      ['name', ['web']],
      ['label', ['a=b']],
    ]);
    expect(parseFilterArgs('').size).toBe(0);
    expect(parseFilterArgs('null').size).toBe(0);
    expect(parseFilterArgs(' null ').size).toBe(0);
  });
  it('reads a null value as no values and a null in a list as an empty string, as Go decodes them', () => {
    expect([...parseFilterArgs('{"oG":null,"b":[null,"x"]}')]).toEqual([
      ['oG', []],
      ['b', ['', 'x']],
    ]);
  });
  it.each(['{nope', '[1]', '1e999', '"x"', '{"a":"x"}', '{"a":[1]}', '{"a":[true]}'])(
    'refuses %s with a 500, or with a 400 where the engine does',
    (text) => {
      expect(() => parseFilterArgs(text)).toThrow(FilterParseError);
      expect(() => parseFilterArgs(text, { badRequest: true })).toThrow(InvalidArgumentError);
    },
  );
  it('gives the engines the query with the filters they apply, or none', () => {
    const q = new URLSearchParams('all=1&filters=%7B%22node%22%3A%5B%22n1%22%5D%7D');
    expect(withFilters(q, new Map([['label', ['a=b']]])).toString()).toBe(
      `all=1&filters=${encodeURIComponent('{"label":{"a=b":true}}')}`,
    );
    expect(withFilters(q, new Map()).toString()).toBe('all=1');
    expect(q.get('filters')).toBe('{"node":["n1"]}');
  });
});
