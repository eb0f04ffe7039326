import { describe, expect, it } from 'vitest';
import { type DesiredContainer, MemoryStateStore } from './state-store.js';

const rec = (id: string): DesiredContainer => ({
  swarmId: 's1',
  name: 'web',
  containerId: id,
  node: { id: 'N1', name: 'n1', addr: '10.0.0.1:2376' },
  running: true,
  config: { Image: 'busybox' },
  networks: [],
  updatedAt: 1,
});

describe('MemoryStateStore', () => {
  it('creates only when absent, updates only from the version read, removes conditionally', async () => {
    const s = new MemoryStateStore();
    expect(s.durable).toBe(false);
    const v1 = await s.putContainer(rec('c1'), null);
    expect(v1).toBeDefined();
    expect(await s.putContainer(rec('c2'), null)).toBeUndefined();
    const v2 = await s.putContainer(rec('c2'), v1);
    expect(v2).toBeDefined();
    // a second writer holding the old version loses
    expect(await s.putContainer(rec('c3'), v1)).toBeUndefined();
    expect((await s.containers()).get('s1')?.value.containerId).toBe('c2');
    expect(await s.removeContainer('s1', v1)).toBe(false);
    expect(await s.removeContainer('s1', v2)).toBe(true);
    expect((await s.containers()).size).toBe(0);
  });

  it('keeps node availability with versions', async () => {
    const s = new MemoryStateStore();
    const v = await s.putNode('N1', { availability: 'drain', updatedAt: 5 }, undefined);
    const nodes = await s.nodes();
    expect(nodes.get('N1')).toEqual({ value: { availability: 'drain', updatedAt: 5 }, version: v });
    expect(await s.putNode('N1', { availability: 'active', updatedAt: 6 }, 'stale')).toBeUndefined();
  });

  it('remembers removed containers until forgotten', async () => {
    const s = new MemoryStateStore();
    const node = { id: 'N1', name: 'n1', addr: '10.0.0.1:2376' };
    const gone = {
      swarmId: 's1',
      name: 'web',
      removedAt: 9,
      staleCopies: [{ node, containerId: 'c1', since: 8 }],
    };
    await s.putRemoved(gone);
    expect((await s.removed()).get('s1')).toEqual(gone);
    expect((await s.containers()).size).toBe(0);
    await s.forgetRemoved('s1');
    expect((await s.removed()).size).toBe(0);
  });
});
