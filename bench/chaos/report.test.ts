import { describe, expect, it } from 'vitest';
import type { Fault } from './faults/fault.js';
import { plan } from './plan.js';
import { type FaultResult, failuresByWindow, summarize } from './report.js';
import type { OpRecord } from './workload.js';

const fault = (kind: string): Fault => ({
  kind,
  description: kind,
  inject: () => Promise.reject(new Error()),
});

describe('plan', () => {
  it('uses every kind evenly, in an order fixed by the seed', () => {
    const kinds = ['a', 'b', 'c'].map(fault);
    const p = plan(kinds, 7, 42).map((f) => f.kind);
    expect(p.filter((k) => k === 'a')).toHaveLength(3);
    expect(p.filter((k) => k === 'b')).toHaveLength(2);
    expect(plan(kinds, 7, 42).map((f) => f.kind)).toEqual(p);
    expect(plan(kinds, 7, 43).map((f) => f.kind)).not.toEqual(p);
  });
});

describe('failuresByWindow', () => {
  const op = (start: number, end: number, status: number, missing = false): OpRecord => ({
    op: 'create',
    via: 'm1',
    status,
    start,
    end,
    ...(missing ? { missing } : {}),
  });
  it('excuses failures that overlap a fault window only', () => {
    const ops = [op(0, 1, 500), op(9, 11, 0), op(20, 21, 201), op(30, 31, 503), op(40, 41, 200, true)];
    const r = failuresByWindow(ops, [[10, 25]]);
    expect(r.inside).toBe(1);
    expect(r.outside.map((o) => o.start)).toEqual([0, 30, 40]);
  });
});

describe('summarize', () => {
  const r = (kind: string, healedAt: number, recoveredAt: number | null, violations = 0): FaultResult => ({
    index: 0,
    kind,
    target: '',
    startedAt: 0,
    injectedAt: 0,
    healedAt,
    recoveredAt,
    violations: Array.from({ length: violations }, () => ({ invariant: 'fault' as const, detail: '' })),
    notes: [],
  });
  it('gives faults, violations and recovery p50/max per kind', () => {
    const s = summarize([r('a', 0, 1000), r('a', 0, 3000), r('a', 0, 2000, 1), r('b', 0, null, 2)]);
    expect(s.a).toEqual({ faults: 3, violations: 1, recoveryP50Ms: 2000, recoveryMaxMs: 3000 });
    expect(s.b).toEqual({ faults: 1, violations: 2, recoveryP50Ms: null, recoveryMaxMs: null });
  });
});
