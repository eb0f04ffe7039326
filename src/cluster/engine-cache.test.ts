import { afterEach, describe, expect, it } from 'vitest';
import { EngineClient } from '../engine/engine-client.js';
import { cached, hexId } from '../testkit/cluster-fixtures.js';
import { FakeEngineServer } from '../testkit/fake-engine-server.js';
import { type CallLimit, EngineCache, INSPECTS_PER_ENGINE, slimInspect } from './engine-cache.js';

let server: FakeEngineServer | undefined;
let client: EngineClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.stop();
});

async function setup(): Promise<{ s: FakeEngineServer; cache: EngineCache }> {
  server = new FakeEngineServer();
  await server.start();
  client = new EngineClient({ addr: server.addr });
  return { s: server, cache: new EngineCache(client) };
}

const inspects = (s: FakeEngineServer) =>
  s.requests.filter((p) => /^\/containers\/[^/]+\/json$/.test(p)).length;

describe('EngineCache', () => {
  it('inspects new and changed containers only, and drops removed ones', async () => {
    const { s, cache } = await setup();
    s.containers = [cached({ id: hexId('a1'), name: 'a' }), cached({ id: hexId('b2'), name: 'b' })];
    await cache.refreshContainers();
    expect(inspects(s)).toBe(2);
    expect(cache.containers().map((c) => c.info.Name)).toEqual(['/a', '/b']);

    // same list again: no inspect; uptime text changes alone do not count
    s.containers[0]!.summary.Status = 'Up 7 seconds';
    await cache.refreshContainers();
    expect(inspects(s)).toBe(2);

    // b stopped, c appeared, a removed
    s.containers = [
      cached({ id: hexId('b2'), name: 'b', state: 'exited' }),
      cached({ id: hexId('c3'), name: 'c' }),
    ];
    await cache.refreshContainers();
    expect(inspects(s)).toBe(4);
    expect(cache.container(hexId('a1'))).toBeUndefined();
    expect(cache.container(hexId('b2'))?.info.State.Running).toBe(false);

    // a full refresh inspects everything
    await cache.refreshContainers(true);
    expect(inspects(s)).toBe(6);
  });

  it('runs at most INSPECTS_PER_ENGINE inspects of one engine at once, inside the shared limit', async () => {
    server = new FakeEngineServer();
    await server.start();
    client = new EngineClient({ addr: server.addr });
    let active = 0;
    let peak = 0;
    let calls = 0;
    const shared: CallLimit = async (task) => {
      calls++;
      peak = Math.max(peak, ++active);
      try {
        return await task();
      } finally {
        active--;
      }
    };
    const cache = new EngineCache(client, () => 0, shared);
    server.containers = Array.from({ length: 20 }, (_, i) =>
      cached({ id: hexId(`e${String(i).padStart(2, '0')}`), name: `c${i}` }),
    );
    await cache.refreshContainers();
    expect(cache.containers()).toHaveLength(20);
    expect(calls).toBe(20);
    expect(peak).toBe(INSPECTS_PER_ENGINE);
  });

  it('refreshes or forgets one container, and keeps provisional entries until then', async () => {
    const { s, cache } = await setup();
    cache.addProvisional(hexId('d4'), 'fresh', { Image: 'busybox', Labels: { k: 'v' } }, 1_700_000_000_000);
    expect(cache.container(hexId('d4'))?.summary).toMatchObject({ Names: ['/fresh'], State: 'created' });
    s.containers = [cached({ id: hexId('d4'), name: 'fresh', state: 'running' })];
    expect((await cache.refreshContainer(hexId('d4')))?.info.State.Running).toBe(true);
    s.containers = [];
    expect(await cache.refreshContainer(hexId('d4'))).toBeUndefined();
    expect(cache.containers()).toEqual([]);
  });
});

describe('EngineCache reinstate', () => {
  it('puts back a removed entry, but never over one cached since', async () => {
    const { s, cache } = await setup();
    s.containers = [cached({ id: hexId('f6'), name: 'stuck', state: 'running' })];
    await cache.refreshContainers();
    const before = cache.container(hexId('f6'))!;
    cache.removeContainer(hexId('f6'));
    expect(cache.container(hexId('f6'))).toBeUndefined();
    const version = cache.version;
    cache.reinstate(before);
    expect(cache.container(hexId('f6'))).toBe(before);
    expect(cache.version).not.toBe(version);
    // a newer entry wins over the one put back
    s.containers = [cached({ id: hexId('f6'), name: 'stuck', state: 'exited' })];
    await cache.refreshContainer(hexId('f6'));
    cache.reinstate(before);
    expect(cache.container(hexId('f6'))?.summary.State).toBe('exited');
  });
});

describe('EngineCache clock skew', () => {
  it('shifts container times from an engine whose clock runs ahead into the manager clock', async () => {
    server = new FakeEngineServer();
    await server.start();
    client = new EngineClient({ addr: server.addr });
    const cache = new EngineCache(client, () => 60_000);
    const c = cached({ id: hexId('e5'), name: 'skewed' });
    c.summary.Created = 1_700_000_060;
    c.info.Created = '2023-11-14T22:14:20.000Z';
    c.info.State.StartedAt = '2023-11-14T22:14:21.000Z';
    c.info.State.FinishedAt = '0001-01-01T00:00:00Z';
    server.containers = [c];
    await cache.refreshContainers();
    const got = cache.container(hexId('e5'))!;
    expect(got.summary.Created).toBe(1_700_000_000);
    expect(got.info.Created).toBe('2023-11-14T22:13:20.000Z');
    expect(got.info.State.StartedAt).toBe('2023-11-14T22:13:21.000Z');
    expect(got.info.State.FinishedAt).toBe('0001-01-01T00:00:00Z');
  });
});

describe('EngineCache versions and memoised reads', () => {
  it('keeps version, stats and the container array while nothing changes', async () => {
    const { s, cache } = await setup();
    s.containers = [cached({ id: hexId('a1'), name: 'a', cpuShares: 512, memory: 64 })];
    await cache.refreshContainers();
    const v = cache.version;
    const list = cache.containers();
    const stats = cache.stats();
    expect(stats).toEqual({ total: 1, running: 1, paused: 0, stopped: 0, cpuShares: 512, memory: 64 });
    expect(cache.containers()).toBe(list);
    expect(cache.stats()).toBe(stats);

    // uptime text only: renewed in place; version, revision, stats and the array all kept
    const revision = cache.revision;
    const entry = list[0];
    s.containers[0]!.summary.Status = 'Up 9 minutes';
    await cache.refreshContainers();
    expect(cache.version).toBe(v);
    expect(cache.revision).toBe(revision);
    expect(cache.stats()).toBe(stats);
    expect(cache.containers()).toBe(list);
    expect(cache.containers()[0]).toBe(entry);
    expect(cache.containers()[0]?.summary.Status).toBe('Up 9 minutes');

    // a network joined shows in the list entry: the container is read again
    s.containers[0]!.summary.NetworkSettings = { Networks: { bridge: {}, backend: {} } };
    await cache.refreshContainers();
    expect(cache.revision).not.toBe(revision);
    expect(cache.containers()[0]?.summary.NetworkSettings).toEqual({ Networks: { bridge: {}, backend: {} } });

    // removing an unknown ID changes nothing
    const rev = cache.revision;
    const ver = cache.version;
    cache.removeContainer(hexId('ff'));
    expect(cache.version).toBe(ver);
    expect(cache.revision).toBe(rev);
  });

  it('changes version and recomputes stats on every content change', async () => {
    const { s, cache } = await setup();
    s.containers = [cached({ id: hexId('a1'), name: 'a' })];
    await cache.refreshContainers();
    let v = cache.version;
    const bumped = () => {
      const changed = cache.version !== v;
      v = cache.version;
      return changed;
    };

    s.containers = [cached({ id: hexId('a1'), name: 'a', state: 'exited' })];
    await cache.refreshContainers();
    expect(bumped()).toBe(true);
    expect(cache.stats()).toMatchObject({ running: 0, stopped: 1 });

    cache.addProvisional(
      hexId('b2'),
      'b',
      { Image: 'busybox', HostConfig: { Memory: 100 } },
      1_700_000_000_000,
    );
    expect(bumped()).toBe(true);
    expect(cache.stats()).toMatchObject({ total: 2, memory: 100 });

    s.containers.push(cached({ id: hexId('b2'), name: 'b', memory: 200 }));
    await cache.refreshContainer(hexId('b2'));
    expect(bumped()).toBe(true);
    expect(cache.stats()).toMatchObject({ total: 2, running: 1, memory: 200 });

    cache.removeContainer(hexId('b2'));
    expect(bumped()).toBe(true);
    expect(cache.stats().total).toBe(1);

    s.containers = [];
    await cache.refreshContainers();
    expect(bumped()).toBe(true);
    expect(cache.containers()).toEqual([]);
  });

  it('keeps only the inspect fields the manager reads', () => {
    const full = cached({ id: hexId('c3'), name: 'c', cpuShares: 2, memory: 3 }).info;
    full.Config.Env = ['SECRET=1'];
    full.Mounts = [{ Source: '/x' }];
    (full.NetworkSettings as Record<string, unknown>).Networks = { bridge: {} };
    const slim = slimInspect(full);
    expect(slim).toMatchObject({ Id: full.Id, Name: '/c', Image: full.Image, Created: full.Created });
    expect(slim.State).toEqual(full.State);
    expect(slim.Config).toEqual({ Image: 'busybox', Labels: {}, ExposedPorts: { '80/tcp': {} } });
    expect(slim.HostConfig).toEqual(full.HostConfig);
    expect(slim.NetworkSettings).toEqual({ Ports: {} });
    expect(slim.Mounts).toBeUndefined();
  });
});
