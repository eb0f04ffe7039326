import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Scheduler } from '../scheduler/scheduler.js';
import { cached, hexId } from '../testkit/cluster-fixtures.js';
import { FakeEngineServer } from '../testkit/fake-engine-server.js';
import { flush, ManualClock } from '../testkit/manual-clock.js';
import { Cluster } from './cluster.js';
import { NameConflictError, NoNodeAvailableError } from './errors.js';
import * as snapshotModule from './snapshot.js';

const servers: FakeEngineServer[] = [];
const clusters: Cluster[] = [];

async function fake(info: ConstructorParameters<typeof FakeEngineServer>[0] = {}): Promise<FakeEngineServer> {
  const s = new FakeEngineServer(info);
  servers.push(s);
  await s.start();
  return s;
}

function cluster(clock = new ManualClock()): Cluster {
  const c = new Cluster({
    scheduler: new Scheduler(),
    clock,
    rng: () => 0,
    refreshMinMs: 30_000,
    refreshMaxMs: 60_000,
    engineTimeoutMs: 2000,
    logger: pino({ level: 'silent' }),
  });
  clusters.push(c);
  return c;
}

async function settle(c: Cluster): Promise<void> {
  await Promise.all(c.engines().map((e) => c.validate(e)));
  await flush();
}

afterEach(async () => {
  for (const c of clusters.splice(0)) await c.close();
  for (const s of servers.splice(0)) await s.stop();
});

describe('Cluster membership and validation', () => {
  it('keeps a clone with a duplicated engine ID pending with Swarm wording, then admits it once the original goes', async () => {
    const clock = new ManualClock();
    const a = await fake({ ID: 'SAME:ID', Name: 'a' });
    const b = await fake({ ID: 'SAME:ID', Name: 'b' });
    const c = cluster(clock);
    await c.updateEntries([a.addr, b.addr]);
    await settle(c);
    const states = c
      .engines()
      .map((e) => e.state)
      .sort();
    expect(states).toEqual(['healthy', 'pending']);
    const clone = c.engines().find((e) => e.state === 'pending')!;
    const original = c.engines().find((e) => e.state === 'healthy')!;
    expect(clone.lastError).toBe(
      `ID duplicated. SAME:ID shared by this node ${clone.addr} and another node ${original.addr}`,
    );
    expect(c.engines().find((e) => e.addr === clone.addr)?.state).toBe('pending');

    await c.updateEntries([clone.addr]);
    expect(c.engines()).toEqual([clone]);
    // failureCount 1 → retried once its last attempt is 2^1 + 30 s old, checked every 10 s
    await clock.advance(30_000);
    await flush();
    expect(clone.state).toBe('pending');
    await clock.advance(10_000);
    await settle(c);
    expect(clone.state).toBe('healthy');
    expect(clone.lastError).toBe('');
  });

  it('rejects an engine reporting no CPUs or memory as not a Docker Engine', async () => {
    const s = await fake({ NCPU: 0 });
    const c = cluster();
    await c.updateEntries([s.addr]);
    await settle(c);
    const e = c.engines()[0]!;
    expect(e.state).toBe('pending');
    // Swarm's text first, then what the engine reported
    expect(e.lastError).toMatch(
      /^cannot get resources for this engine, make sure 127\.0\.0\.1:\d+ is a Docker Engine, not a Swarm manager \(it reports 0 CPUs and \d+ bytes of memory\)$/,
    );
  });

  it('retries an unreachable pending engine on the 2^failures + 30 s schedule', async () => {
    const clock = new ManualClock();
    const s = new FakeEngineServer({ Name: 'late' });
    servers.push(s);
    await s.start();
    const port = s.port;
    await s.stop();
    const c = cluster(clock);
    await c.updateEntries([`127.0.0.1:${port}`]);
    await settle(c);
    const e = c.engines()[0]!;
    expect(e.state).toBe('pending');
    expect(e.failureCount).toBe(1); // /info refused; /version is asked only after it
    expect(e.lastError).toContain('connection refused');
    await s.start(port);
    await clock.advance(30_000);
    expect(e.state).toBe('pending');
    await clock.advance(10_000);
    await settle(c);
    expect(e.state).toBe('healthy');
    expect(e.name).toBe('late');
    expect(c.events.listenerCount).toBe(0);
  });

  it('validates and loads an engine over one connection, plus one for its event stream', async () => {
    const s = await fake({ Name: 'frugal' });
    s.containers = ['a1', 'b2', 'c3'].map((p) => cached({ id: hexId(p), name: p }));
    const c = cluster();
    await c.updateEntries([s.addr]);
    await settle(c);
    expect(c.engines()[0]!.state).toBe('healthy');
    expect(s.requests.filter((r) => r.startsWith('/containers/'))).toHaveLength(4);
    // each further call waits for the previous one's connection to be handed back instead of opening another
    expect(s.connections).toBe(2);
  });

  it('counts one failure for a failed initial cache load, however many containers failed', async () => {
    const s = await fake({ Name: 'flaky' });
    s.containers = ['a1', 'b2', 'c3', 'd4', 'e5'].map((p) => cached({ id: hexId(p), name: p }));
    s.dropInspects = true;
    const c = cluster();
    await c.updateEntries([s.addr]);
    await settle(c);
    const e = c.engines()[0]!;
    expect(e.state).toBe('pending');
    expect(e.failureCount).toBe(1);
    expect(e.lastError).toContain('connection reset');
    s.dropInspects = false;
    await e.activate();
    expect(e.state).toBe('healthy');
    expect(e.failureCount).toBe(0);
    expect(e.cache.containers()).toHaveLength(5);
  });

  it('emits engine_connect and engine_disconnect with node info', async () => {
    const s = await fake({ ID: 'AAAA:1', Name: 'n1' });
    const c = cluster();
    const seen: string[] = [];
    c.events.subscribe((ev) => seen.push(`${ev.swarm}:${ev.message.node.Name}:${ev.message.from}`));
    await c.updateEntries([s.addr]);
    await settle(c);
    await c.updateEntries([]);
    expect(seen).toEqual(['engine_connect:n1:swarm node:n1', 'engine_disconnect:n1:swarm node:n1']);
    expect(c.engines()).toEqual([]);
  });
});

describe('Cluster placement for work that creates no container', () => {
  it('asks the scheduler with env-style constraints, reserves nothing, and explains a miss', async () => {
    const a = await fake({ ID: 'AAAA:1', Name: 'a', Labels: ['zone=z1'] });
    const b = await fake({ ID: 'BBBB:2', Name: 'b', Labels: ['zone=z2'] });
    b.containers = [cached({ id: hexId('b1'), name: 'busy' })];
    const c = cluster();
    await c.updateEntries([a.addr, b.addr]);
    await settle(c);
    const p = c.placement;
    const where = async (env: string[]) =>
      (
        await p.place(
          p.requestFromEnv(env),
          { run: async (e) => ({ name: e.name, held: p.book.size }) },
          { reserve: false },
        )
      ).value;
    expect(await where([])).toEqual({ name: 'a', held: 0 }); // spread: the emptier node
    expect((await where(['constraint:zone==z2'])).name).toBe('b');
    expect((await where(['constraint:node!=a'])).name).toBe('b');
    await expect(where(['constraint:zone==z9'])).rejects.toThrow(NoNodeAvailableError);
    await expect(where(['constraint:zone==z9'])).rejects.toThrow(/Unable to find a node that satisfies/);
    expect(p.book.size).toBe(0);
  });

  it('leaves excluded engines out of the decision', async () => {
    const a = await fake({ ID: 'AAAA:1', Name: 'a' });
    const b = await fake({ ID: 'BBBB:2', Name: 'b' });
    b.containers = [cached({ id: hexId('b1'), name: 'busy' })];
    const c = cluster();
    await c.updateEntries([a.addr, b.addr]);
    await settle(c);
    const p = c.placement;
    const placed = await p.place(p.requestFromEnv([]), { run: async (e) => e.name }, { exclude: ['AAAA:1'] });
    expect(placed.value).toBe('b');
    expect(p.snapshots(['AAAA:1', 'BBBB:2'])).toEqual([]);
  });
});

describe('Cluster snapshot and container memos', () => {
  it('reuses an engine snapshot until its cache, labels or resources change', async () => {
    const a = await fake({ ID: 'AAAA:1', Name: 'a' });
    const b = await fake({ ID: 'BBBB:2', Name: 'b' });
    const c = cluster();
    await c.updateEntries([a.addr, b.addr]);
    await settle(c);
    const ea = c.engine('a');
    const snapshots = () => c.placement.snapshots();
    const snapshotOfA = () => snapshots().find((n) => n.name === 'a')!;
    const first = snapshots();
    expect(first).toHaveLength(2);
    const second = snapshots();
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[1]);

    // a container appears on a: only a's snapshot is rebuilt
    a.containers = [cached({ id: hexId('a1'), name: 'web' })];
    await ea.cache.refreshContainers();
    const third = snapshots();
    const snapA = third.find((n) => n.name === 'a')!;
    expect(snapA).not.toBe(first.find((n) => n.name === 'a'));
    expect(snapA.containers.map((x) => x.names[0])).toEqual(['web']);
    expect(third.find((n) => n.name === 'b')).toBe(first.find((n) => n.name === 'b'));

    // labels and resources are part of the key
    ea.labels = { ...ea.labels, zone: 'z1' };
    const relabelled = snapshotOfA();
    expect(relabelled).not.toBe(snapA);
    expect(relabelled.labels.zone).toBe('z1');
    ea.memory *= 2;
    expect(snapshotOfA()).not.toBe(relabelled);
    expect(snapshotOfA()).toBe(snapshotOfA());
  });

  it("builds a connected engine's snapshot off the request path, once", async () => {
    const a = await fake({ ID: 'AAAA:1', Name: 'a' });
    const b = await fake({ ID: 'BBBB:2', Name: 'b' });
    const built = vi.spyOn(snapshotModule, 'snapshotOf');
    try {
      const c = cluster();
      await c.updateEntries([a.addr, b.addr]);
      await settle(c);
      await new Promise((r) => setImmediate(r));
      // both engines were warmed without anyone asking for a snapshot; asking now builds nothing more
      expect(built.mock.calls.map(([e]) => e.name).sort()).toEqual(['a', 'b']);
      c.placement.snapshots();
      expect(built).toHaveBeenCalledTimes(2);
    } finally {
      built.mockRestore();
    }
  });

  it('reuses the cluster-wide container list until a container list or the membership changes', async () => {
    const a = await fake({ ID: 'AAAA:1', Name: 'a' });
    const b = await fake({ ID: 'BBBB:2', Name: 'b' });
    a.containers = [cached({ id: hexId('a1'), name: 'one' })];
    const c = cluster();
    await c.updateEntries([a.addr, b.addr]);
    await settle(c);
    const all = c.containers();
    expect(all.map((x) => x.container.info.Name)).toEqual(['/one']);
    expect(c.containers()).toBe(all);

    c.engine('b').cache.addProvisional(hexId('b1'), 'two', { Image: 'busybox' }, 0);
    const after = c.containers();
    expect(after).not.toBe(all);
    expect(after.map((x) => x.container.summary.Names[0]).sort()).toEqual(['/one', '/two']);
    expect(c.findContainer('two')?.node.name).toBe('b');
    expect(c.findContainer(hexId('b1'))?.node.name).toBe('b');
    expect(c.findContainer(hexId('a1'))?.container.info.Name).toBe('/one');
    expect(c.findContainer(hexId('ab'))).toBeUndefined();

    // the name check follows every change of an engine's list
    const taken = (name: string) =>
      c.placement
        .place(
          { ...c.placement.requestFromEnv([]), name },
          { run: async () => undefined },
          { reserve: false },
        )
        .then(
          () => undefined,
          (err: unknown) => (err instanceof NameConflictError ? err.holderId : 'other error'),
        );
    expect(await taken('two')).toBe(hexId('b1'));
    expect(await taken('one')).toBe(hexId('a1'));
    expect(await taken('three')).toBeUndefined();
    c.engine('a').cache.addProvisional(hexId('a2'), 'three', { Image: 'busybox' }, 0);
    expect(await taken('three')).toBe(hexId('a2'));
    c.engine('b').cache.removeContainer(hexId('b1'));
    expect(await taken('two')).toBeUndefined();
    expect(c.findContainer(hexId('b1'))).toBeUndefined();
    c.engine('b').cache.addProvisional(hexId('b1'), 'two', { Image: 'busybox' }, 0);

    // a rename reaches the check through the engine's answer to a re-read
    a.containers = [cached({ id: hexId('a1'), name: 'renamed' })];
    await c.engine('a').cache.refreshContainer(hexId('a1'));
    expect(await taken('one')).toBeUndefined();
    expect(await taken('renamed')).toBe(hexId('a1'));

    await c.updateEntries([b.addr]);
    expect(c.containers().map((x) => x.container.summary.Names[0])).toEqual(['/two']);
    // the engine that left holds no name any more
    expect(await taken('renamed')).toBeUndefined();
    expect(await taken('two')).toBe(hexId('b1'));
  });
});
