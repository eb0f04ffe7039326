import { describe, expect, it } from 'vitest';
import { cached, hexId } from '../testkit/cluster-fixtures.js';
import type { Engine } from './engine.js';
import type { CachedContainer } from './engine-cache.js';
import { SnapshotCache } from './snapshot-cache.js';

/** The parts of an engine a snapshot reads; `version` moves whenever the test changes the list. */
function engine(containers: CachedContainer[], cpus = 2) {
  const e = {
    id: 'ID1',
    name: 'node-1',
    addr: '10.0.0.1:2376',
    ip: '10.0.0.1',
    labels: {},
    state: 'healthy',
    healthIndicator: 100,
    cpus,
    memory: 1000,
    containers,
    cache: { version: 0, containers: () => e.containers, images: () => [] },
  };
  return e;
}

describe('SnapshotCache', () => {
  it('rebuilds a changed engine converting only the containers that changed', () => {
    const one = cached({ id: hexId('1'), name: 'one', cpuShares: 512 });
    const two = cached({ id: hexId('2'), name: 'two' });
    const e = engine([one, two]);
    const cache = new SnapshotCache(0);
    const first = cache.get(e as unknown as Engine);
    expect(cache.get(e as unknown as Engine)).toBe(first);

    // container two re-read (a new entry), container three added
    const twoAgain = cached({ id: hexId('2'), name: 'renamed' });
    e.containers = [one, twoAgain, cached({ id: hexId('3'), name: 'three' })];
    e.cache.version++;
    const second = cache.get(e as unknown as Engine);
    expect(second).not.toBe(first);
    expect(second.containers[0]).toBe(first.containers[0]);
    expect(second.containers[1]).not.toBe(first.containers[1]);
    expect(second.containers.map((c) => c.names[0])).toEqual(['one', 'renamed', 'three']);

    // the same entries on an engine with another CPU count are converted again
    e.cpus = 4;
    const third = cache.get(e as unknown as Engine);
    expect(third.containers[0]).not.toBe(second.containers[0]);
    expect(second.containers[0]!.cpus).toBe(1);
    expect(third.containers[0]!.cpus).toBe(2);
  });
});
