import { describe, expect, it } from 'vitest';
import type { ManagerView } from '../../src/up/index.js';
import type { ChaosHost } from './cluster.js';
import { check, type Listed, type Snapshot, settleLedger } from './invariants.js';
import { type Expected, WORKLOAD_LABEL } from './workload.js';

const hosts: ChaosHost[] = [
  { name: 'm1', ip: '10.0.0.2', manager: true },
  { name: 'm2', ip: '10.0.0.3', manager: true },
  { name: 'n1', ip: '10.0.0.4', manager: false },
];
const cluster = {
  hosts,
  host: (n: string) => hosts.find((h) => h.name === n) as ChaosHost,
};
const primary: ManagerView = { role: 'primary', nodes: 3, healthy: 3 };
const replica: ManagerView = { role: 'replica', primary: '10.0.0.2:3376', nodes: 3, healthy: 3 };
const c = (id: string, name: string, state = 'running', workload = true): Listed => ({
  Id: id,
  Names: [`/${name}`],
  State: state,
  Labels: workload ? { [WORKLOAD_LABEL]: '1' } : {},
});
const e = (name: string, exists: Expected['exists'], run: Expected['run'], policy = true): Expected => ({
  name,
  worker: 0,
  policy,
  exists,
  run,
});

function snap(over: Partial<Snapshot> = {}): Snapshot {
  const engines = over.engines ?? { m1: [c('a', 'w-1')], m2: [c('b', 'w-2', 'exited')], n1: [] };
  const all = Object.values(engines).flatMap((l) => (typeof l === 'string' ? [] : l));
  return {
    at: 0,
    engines,
    manager: { via: 'm1', list: all },
    views: { m1: primary, m2: replica },
    kv: [0, 1, 2].map((i) => ({ name: `kv-${i}`, reachable: true, leader: i === 0 })),
    ...over,
  };
}
const ledger = (...xs: Expected[]) => new Map(xs.map((x) => [x.name, x]));
const healthy = ledger(e('w-1', 'yes', 'running'), e('w-2', 'yes', 'stopped'));

describe('check', () => {
  it('passes a whole, consistent cluster', () => {
    expect(check(cluster, snap(), healthy)).toEqual([]);
  });

  it.each<[string, Snapshot, Map<string, Expected>, string, RegExp]>([
    ['two primaries', snap({ views: { m1: primary, m2: primary } }), healthy, 'one-primary', /2 managers/],
    [
      'a replica naming another primary',
      snap({ views: { m1: primary, m2: { ...replica, primary: '10.0.0.9:3376' } } }),
      healthy,
      'one-primary',
      /not 10.0.0.2:3376/,
    ],
    [
      'a lost container',
      snap({ engines: { m1: [], m2: [c('b', 'w-2', 'exited')], n1: [] } }),
      healthy,
      'exactly-once',
      /w-1 \(created, 201\) has 0 copies/,
    ],
    [
      'a duplicated container',
      snap({ engines: { m1: [c('a', 'w-1')], m2: [c('b', 'w-2', 'exited')], n1: [c('x', 'w-1')] } }),
      healthy,
      'exactly-once',
      /w-1 \(created, 201\) has 2 copies/,
    ],
    [
      'a removed container still there',
      snap(),
      ledger(e('w-1', 'no', 'running'), e('w-2', 'yes', 'stopped')),
      'exactly-once',
      /w-1 \(removed, 204\) still exists/,
    ],
    ['an unknown container', snap(), ledger(e('w-1', 'yes', 'running')), 'exactly-once', /w-2 exists but/],
    [
      'a stopped container with a policy that should run',
      snap(),
      ledger(e('w-1', 'yes', 'running'), e('w-2', 'yes', 'running')),
      'running',
      /w-2 .* is exited on m2/,
    ],
    [
      'a manager list missing a container',
      snap({ manager: { via: 'm1', list: [c('a', 'w-1')] } }),
      healthy,
      'ps-union',
      /1 missing \(b\)/,
    ],
    [
      'an unhealthy node',
      snap({ views: { m1: { ...primary, healthy: 2 }, m2: replica } }),
      healthy,
      'whole',
      /2\/3 healthy/,
    ],
    [
      'a KV member down',
      snap({ kv: [{ name: 'kv-0', reachable: false, leader: false }] }),
      healthy,
      'whole',
      /0\/1 members/,
    ],
  ])('finds %s', (_, s, l, invariant, detail) => {
    const found = check(cluster, s, l);
    expect(found.map((v) => v.invariant)).toContain(invariant);
    expect(found.find((v) => v.invariant === invariant)?.detail).toMatch(detail);
  });

  it('does not ask a container without a policy to run after its host died', () => {
    const l = ledger(e('w-1', 'yes', 'running'), e('w-2', 'yes', 'running', false));
    expect(check(cluster, snap(), l)).toEqual([]);
  });

  it('allows zero or one copy of a container whose create got no answer', () => {
    const l = ledger(e('w-1', 'yes', 'running'), e('w-2', 'maybe', 'stopped'), e('w-3', 'maybe', 'stopped'));
    expect(check(cluster, snap(), l)).toEqual([]);
  });
});

describe('settleLedger', () => {
  it('settles unknown outcomes from a snapshot', () => {
    const l = ledger(e('w-1', 'maybe', 'unknown'), e('w-2', 'yes', 'unknown'), e('w-3', 'maybe', 'stopped'));
    settleLedger(snap(), l);
    expect([...l.values()].map((x) => [x.name, x.exists, x.run])).toEqual([
      ['w-1', 'yes', 'running'],
      ['w-2', 'yes', 'stopped'],
      ['w-3', 'no', 'stopped'],
    ]);
  });
});
