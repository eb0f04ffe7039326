import { describe, expect, it } from 'vitest';
import { node, request } from '../../testkit/scheduler-fixtures.js';
import type { NodeSnapshot } from '../types.js';
import { HealthFilter } from './health-filter.js';

const f = new HealthFilter();

describe('HealthFilter', () => {
  it.each<[string, NodeSnapshot, boolean]>([
    ['healthy, no failures', node('n').build(), true],
    ['healthy with recent failures (indicator 34)', node('n').health(34).build(), true],
    ['healthy but failures reached the retry count (indicator 0)', node('n').health(0).build(), false],
    ['unhealthy', node('n').state('unhealthy').build(), false],
    ['maintenance', node('n').state('maintenance').build(), false],
  ])('%s', (_t, n, want) => {
    expect(f.check(request().build(), n).ok).toBe(want);
  });

  it('has nothing to list in the conditions', () => {
    expect(f.describe()).toBe('');
  });
});
