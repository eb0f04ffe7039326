import { describe, expect, it } from 'vitest';
import { node, request } from '../../testkit/scheduler-fixtures.js';
import type { PlacementRequest } from '../types.js';
import { ConstraintFilter } from './constraint-filter.js';

const f = new ConstraintFilter();
const n1 = node('node-1').id('ABCD:EFGH').label('region', 'eu-west').label('storage', 'ssd').build();

describe('ConstraintFilter', () => {
  it.each<[string, PlacementRequest, boolean]>([
    ['node by name', request().constraint('node==node-1').build(), true],
    ['node by ID', request().constraint('node==ABCD:EFGH').build(), true],
    ['node other', request().constraint('node==node-2').build(), false],
    ['node glob', request().constraint('node==node-*').build(), true],
    ['node != name', request().constraint('node!=node-1').build(), false],
    ['node != ID', request().constraint('node!=ABCD:EFGH').build(), false],
    ['node != other', request().constraint('node!=node-2').build(), true],
    ['label', request().constraint('region==eu-west').build(), true],
    ['label glob', request().constraint('region==eu*').build(), true],
    ['label !=', request().constraint('region!=us*').build(), true],
    ['label regex case-insensitive', request().constraint('region==/(?i)EU/').build(), true],
    ['label regex', request().constraint('region==/^us/').build(), false],
    ['built-in label', request().constraint('storagedriver==overlay2').build(), true],
    ['ostype built-in', request().constraint('ostype==linux').build(), true],
    ['missing label is empty: == fails', request().constraint('zone==a').build(), false],
    ['missing label is empty: != passes', request().constraint('zone!=a').build(), true],
    ['missing label matches *', request().constraint('zone==*').build(), true],
    ['invalid glob matches nothing: == fails', request().constraint('region==(').build(), false],
    ['invalid glob matches nothing: != passes', request().constraint('region!=(').build(), true],
    [
      'all constraints must hold',
      request().constraint('region==eu*').constraint('storage==hdd').build(),
      false,
    ],
    ['keys are case-sensitive label names', request().constraint('Region==eu-west').build(), false],
  ])('%s', (_t, req, want) => {
    expect(f.check(req, n1, { soft: true }).ok).toBe(want);
  });

  it('soft constraints apply in pass 1 only', () => {
    const req = request().constraint('region==~us').build();
    expect(f.check(req, n1, { soft: true }).ok).toBe(false);
    expect(f.check(req, n1, { soft: false }).ok).toBe(true);
  });

  it('explains and describes', () => {
    const req = request().constraint('node==n1').constraint('region!=~eu*').constraint('zone==a').build();
    expect(f.check(req, n1, { soft: true })).toEqual({
      ok: false,
      reason: 'node=node-1 does not satisfy node==n1',
    });
    const only = request().constraint('region!=~eu*').build();
    expect(f.check(only, n1, { soft: true })).toEqual({
      ok: false,
      reason: 'region=eu-west does not satisfy region!=eu* (soft)',
    });
    expect(f.check(request().constraint('zone==a').build(), n1, { soft: true })).toEqual({
      ok: false,
      reason: 'no label zone does not satisfy zone==a',
    });
    expect(f.describe(req)).toBe('node==n1 region!=eu* zone==a');
    expect(f.condition(req)).toBe('node==n1 (soft=false) region!=eu* (soft=true) zone==a (soft=false)');
  });
});
