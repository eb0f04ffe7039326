import { afterEach, describe, expect, it } from 'vitest';
import { EngineClient } from '../engine/engine-client.js';
import { EngineCache } from './engine-cache.js';
import { FakeEngineServer } from './testing/fake-engine-server.js';
import { cached, hexId } from './testing/fixtures.js';

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
