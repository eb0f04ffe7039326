import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../util/clock.js';
import type { Cluster } from '../cluster.js';
import { ClusterEvents } from '../events.js';
import { Rescheduler } from './rescheduler.js';
import { type DesiredContainer, MemoryStateStore } from './state-store.js';

/**
 * The rescheduler's decisions on a removed container, with its engines stood in for: what matters here is the order
 * of what the manager learns (a `destroy` event, then the node's failure), which real engines cannot be made to keep.
 */

const GRACE_MS = 2000;
const OLD_ID = 'a'.repeat(64);
const NEW_ID = 'b'.repeat(64);

interface FakeEngine {
  readonly id: string;
  readonly name: string;
  readonly addr: string;
  state: 'healthy' | 'unhealthy';
  readonly cpus: number;
  /** Engine API calls made on it (`METHOD path`). */
  readonly calls: string[];
  /** Container IDs its cache holds (for lookups by ID). */
  readonly held: Set<string>;
  readonly cache: Record<string, unknown>;
  readonly client: { json(method: string, path: string): Promise<unknown> };
}

function engine(id: string): FakeEngine {
  const calls: string[] = [];
  const held = new Set<string>();
  return {
    held,
    id,
    name: id,
    addr: `${id}:2376`,
    state: 'healthy',
    cpus: 1,
    calls,
    cache: {
      revision: 0,
      containers: () => [],
      container: (cid: string) => (held.has(cid) ? { summary: { Id: cid, Labels: {} } } : undefined),
      removeContainer: (cid: string) => held.delete(cid),
      reinstate: () => undefined,
      refreshContainer: async () => undefined,
    },
    client: {
      json: async (method, path) => {
        calls.push(`${method} ${path}`);
        return path.endsWith('/json') ? { State: { Running: true } } : {};
      },
    },
  };
}

function record(node: FakeEngine): DesiredContainer {
  return {
    swarmId: 's1',
    name: 'web',
    containerId: OLD_ID,
    node: { id: node.id, name: node.name, addr: node.addr },
    running: true,
    config: { Image: 'busybox' },
    networks: [],
    updatedAt: 0,
  };
}

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

/** A cluster of two engines whose `createContainer` records its calls and runs `during` first. */
function setUp() {
  let t = 1_000_000;
  const clock: Clock = {
    now: () => t,
    // the loop's sleeps never end by themselves: the test runs the rounds
    sleep: (_ms, signal) =>
      new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason))),
  };
  const n1 = engine('n1');
  const n2 = engine('n2');
  const events = new ClusterEvents();
  const creates: string[] = [];
  let during = (): void => undefined;
  const cluster = {
    engines: () => [n1, n2],
    activeEngines: () => [n1, n2],
    networks: () => [],
    events,
    placement: {
      setAllowed: () => undefined,
      explanationOf: () => undefined,
      createContainer: async (_body: unknown, name: string) => {
        creates.push(name);
        during();
        return { Id: NEW_ID, Warnings: [], node: n2, swarmId: 's1', timing: {} };
      },
    },
  };
  const store = new MemoryStateStore();
  let primary = false;
  const r = new Rescheduler({
    cluster: cluster as unknown as Cluster,
    store,
    isPrimary: () => primary,
    graceMs: GRACE_MS,
    clock,
  });
  r.start(); // subscribes; its first round does nothing while not primary
  primary = true;
  stop = () => r.close();
  const destroyed = (on: FakeEngine, id: string): void =>
    events.emit({
      engine: on,
      message: { Type: 'container', Action: 'destroy', Actor: { ID: id, Attributes: {} } },
    } as never);
  return {
    r,
    n1,
    n2,
    store,
    creates,
    destroyed,
    advance: (ms: number) => {
      t += ms;
    },
    /** n1 fails, a round sees it, and the grace period passes. */
    failN1: async () => {
      n1.state = 'unhealthy';
      await r.round();
      t += GRACE_MS + 1000;
    },
    onCreate: (fn: () => void) => {
      during = fn;
    },
  };
}

describe('Rescheduler and removed containers', () => {
  it('a container destroyed just before its node failed is forgotten, not created again elsewhere', async () => {
    const s = setUp();
    await s.store.putContainer({ ...record(s.n1), updatedAt: 1_000_000 }, null);
    // The record is fresh: a container merely missing from a live node would still count as settling.
    s.destroyed(s.n1, OLD_ID);
    await s.failN1();
    await s.r.round();
    expect(s.creates).toEqual([]);
    expect((await s.store.containers()).size).toBe(0);
  });

  it('without a destroy event the same failure moves the container (the event is what tells them apart)', async () => {
    const s = setUp();
    await s.store.putContainer({ ...record(s.n1), updatedAt: 1_000_000 }, null);
    await s.failN1();
    await s.r.round();
    expect(s.creates).toEqual(['web']);
    expect((await s.store.containers()).get('s1')?.value.containerId).toBe(NEW_ID);
  });

  it('a container removed through its returning node while it is being moved: the new copy is removed too', async () => {
    const s = setUp();
    await s.store.putContainer(record(s.n1), null);
    await s.failN1();
    // The old node answers again and its copy is removed by its user while the new copy is being created.
    s.onCreate(() => s.destroyed(s.n1, OLD_ID));
    await s.r.round();
    expect(s.creates).toEqual(['web']);
    expect(s.n2.calls).toContain(`DELETE /containers/${NEW_ID}`);
    expect((await s.store.containers()).size).toBe(0);
    // the destroyed old copy is not remembered as one still out on a failed node
    expect((await s.store.removed()).size).toBe(0);
  });

  it('removed through the manager while being moved, its destroy event lost: the new copy is removed too', async () => {
    const s = setUp();
    await s.store.putContainer(record(s.n1), null);
    await s.failN1();
    // the remove reached the old copy on the node coming back; that node's event stream is still down
    s.onCreate(() => s.r.containerRemoved('s1'));
    await s.r.round();
    expect(s.n2.calls).toContain(`DELETE /containers/${NEW_ID}`);
    expect((await s.store.containers()).size).toBe(0);
  });

  it('removed through the manager while its node is down: nothing moves, the copy there is removed on return', async () => {
    const s = setUp();
    await s.store.putContainer(record(s.n1), null);
    s.n1.state = 'unhealthy';
    s.r.containerRemoved('s1');
    await s.r.round();
    s.advance(GRACE_MS + 1000);
    await s.r.round();
    expect(s.creates).toEqual([]);
    expect((await s.store.containers()).size).toBe(0);
    expect((await s.store.removed()).get('s1')?.staleCopies.map((c) => c.containerId)).toEqual([OLD_ID]);
  });

  it('removed through the manager by a stale copy: the recorded copy on a live node is removed too', async () => {
    const s = setUp();
    await s.store.putContainer(
      { ...record(s.n1), containerId: NEW_ID, node: { id: 'n2', name: 'n2', addr: 'n2:2376' } },
      null,
    );
    s.n2.held.add(NEW_ID);
    s.r.containerRemoved('s1');
    await s.r.round();
    expect(s.n2.calls).toEqual([`DELETE /containers/${NEW_ID}`]);
    expect((await s.store.containers()).size).toBe(0);
    expect((await s.store.removed()).size).toBe(0);
  });
});
