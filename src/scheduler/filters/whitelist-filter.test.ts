import { describe, expect, it } from 'vitest';
import { node, request } from '../../testkit/scheduler-fixtures.js';
import type { PlacementRequest } from '../types.js';
import { WhitelistFilter } from './whitelist-filter.js';

const f = new WhitelistFilter();
const n1 = node('n1').id('ID1').build();

describe('WhitelistFilter', () => {
  it.each<[string, PlacementRequest, boolean]>([
    ['no whitelist', request().build(), true],
    ['name listed', request().whitelist('node==n2|n1').build(), true],
    ['name not listed', request().whitelist('node==n2|n3').build(), false],
    ['names only, never IDs', request().whitelist('node==ID1').build(), false],
    ['no globs', request().whitelist('node==n*').build(), false],
    // Kept quirks: key and operator are ignored.
    ['any key', request().whitelist('whatever==n1').build(), true],
    ['!= still whitelists', request().whitelist('node!=n1').build(), true],
  ])('%s', (_t, req, want) => {
    expect(f.check(req, n1, { soft: true }).ok).toBe(want);
  });

  it('soft whitelists apply in pass 1 only', () => {
    const req = request().whitelist('node==~n2').build();
    expect(f.check(req, n1, { soft: true }).ok).toBe(false);
    expect(f.check(req, n1, { soft: false }).ok).toBe(true);
    expect(f.describe(req)).toBe('node==n2');
    expect(f.condition(req)).toBe('node==n2 (soft=true)');
  });
});
