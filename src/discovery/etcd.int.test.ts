import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalEtcd, startLocalEtcd } from '../kv/index.js';
import { type Child, eventually, spawnShoal } from '../testkit/discovery.js';
import { silenceableRelay } from '../testkit/silent-relay.js';
import { EtcdDiscovery } from './etcd.js';

let dir: string;
let etcd: LocalEtcd;
let url: string;
let client: Etcd3;
const children: Child[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shd-etcd-'));
  etcd = await startLocalEtcd(dir, 'shd-disc');
  url = `etcd://${etcd.endpoints.join(',')}`;
  client = new Etcd3({ hosts: etcd.endpoints.map((e) => `http://${e}`) });
});

afterAll(async () => {
  for (const c of children) await c.stop('SIGKILL');
  client?.close();
  await etcd?.remove();
  await rm(dir, { recursive: true, force: true });
});

/** Collects every list a watch emits, for one test. */
function watchAll(d: EtcdDiscovery) {
  const ac = new AbortController();
  const seen: string[][] = [];
  const errors: Error[] = [];
  const done = (async () => {
    for await (const list of d.watch(ac.signal, (e) => errors.push(e))) seen.push(list);
  })();
  return {
    seen,
    errors,
    until: (want: string[]) =>
      eventually(
        async () => (seen.some((l) => l.join() === want.join()) ? true : undefined),
        30_000,
        `[${want}]`,
      ),
    stop: async () => {
      ac.abort();
      await done;
      await d.close();
    },
  };
}

describe('etcd:// discovery (real etcd)', () => {
  it('watch sees registrations and removals as full lists', async () => {
    const opts = { heartbeatMs: 1000, ttlMs: 10_000, options: { 'kv.path': 'shd/t1/nodes' } };
    const w = watchAll(new EtcdDiscovery(`${etcd.endpoints[0]}/pre`, opts));
    const a = new EtcdDiscovery(`${etcd.endpoints[0]}/pre`, opts);
    try {
      await w.until([]);
      await a.register('10.235.0.1:2376');
      await w.until(['10.235.0.1:2376']);
      await a.register('10.235.0.1:2376'); // a refresh is not a change
      await client.put('pre/shd/t1/nodes/10.235.0.2:2376').value('10.235.0.2:2376');
      await w.until(['10.235.0.1:2376', '10.235.0.2:2376']);
      expect(await client.get('pre/shd/t1/nodes/10.235.0.1:2376').string()).toBe('10.235.0.1:2376');
      await client.delete().key('pre/shd/t1/nodes/10.235.0.1:2376');
      await w.until(['10.235.0.2:2376']);
      expect(w.seen).toEqual([
        [],
        ['10.235.0.1:2376'],
        ['10.235.0.1:2376', '10.235.0.2:2376'],
        ['10.235.0.2:2376'],
      ]);
      expect(w.errors).toEqual([]);
    } finally {
      await a.close();
      await w.stop();
    }
  });

  it('a watch whose stream sits on a member that went silent still sees a registration, by its heartbeat read', async () => {
    const member = etcd.endpoints[0] ?? '';
    const relay = await silenceableRelay(member);
    // Members are picked in a fixed order here (the last endpoint first): the watch stream runs through the relay.
    const { ConnectionPool } = await import('etcd3/lib/connection-pool.js');
    ConnectionPool.deterministicOrder = true;
    const opts = { heartbeatMs: 2000, ttlMs: 10_000, options: { 'kv.path': 'shd/t3/nodes' } };
    const w = watchAll(new EtcdDiscovery(`${member},${relay.endpoint}`, opts));
    try {
      await w.until([]);
      await new Promise((r) => setTimeout(r, 1000));
      relay.silence();
      await client.put('shd/t3/nodes/10.235.0.7:2376').value('10.235.0.7:2376');
      await w.until(['10.235.0.7:2376']);
      expect(w.seen).toEqual([[], ['10.235.0.7:2376']]);
    } finally {
      ConnectionPool.deterministicOrder = false;
      await w.stop();
      await relay.close();
      await client.delete().key('shd/t3/nodes/10.235.0.7:2376');
    }
  }, 60_000);

  it('shoal join registers with a lease; killing it expires the key after the TTL and the watch shrinks', async () => {
    const w = watchAll(new EtcdDiscovery(etcd.endpoints.join(','), { heartbeatMs: 1000, ttlMs: 3000 }));
    const j1 = spawnShoal(['join', '--advertise=10.235.0.11:2376', '--heartbeat', '1s', '--ttl', '3s', url]);
    const j2 = spawnShoal(['join', '--addr', '10.235.0.12:2376', '--heartbeat=1s', '--ttl=3s', url]);
    children.push(j1, j2);
    try {
      await w.until(['10.235.0.11:2376', '10.235.0.12:2376']);
      await j1.waitLine(/Registering on the discovery service every 1s/);
      const lease = (await client.get('docker/swarm/nodes/10.235.0.11:2376').exec()).kvs[0]?.lease;
      expect(lease).not.toBe('0');
      const list = spawnShoal(['list', '--timeout', '5s', url]);
      expect(await list.exited).toBe(0);
      expect(list.lines).toEqual(['10.235.0.11:2376', '10.235.0.12:2376']);
      j1.proc.kill('SIGKILL');
      await j1.exited;
      // The lease expires about one TTL after the last keepalive and etcd deletes the key; the watch follows.
      await eventually(
        async () =>
          (await client.get('docker/swarm/nodes/10.235.0.11:2376').string()) === null ? true : undefined,
        30_000,
        'the dead agent key to expire',
      );
      await w.until(['10.235.0.12:2376']);
      expect(await client.get('docker/swarm/nodes/10.235.0.12:2376').string()).toBe('10.235.0.12:2376');
      expect(await j2.stop('SIGTERM')).toBe(0);
    } finally {
      await w.stop();
    }
  });

  it('shoal join keeps running (logging) while etcd is unreachable', async () => {
    const j = spawnShoal([
      'join',
      '--advertise=10.235.0.13:2376',
      '--heartbeat=1s',
      '--ttl=2s',
      'etcd://127.0.0.1:1',
    ]);
    children.push(j);
    await j.waitLine(/level=error/);
    await j.waitLine(/Registering on the discovery service/);
    expect(j.proc.exitCode).toBeNull();
    expect(await j.stop('SIGTERM')).toBe(0);
  });

  it('shoal list and join reject bad flags with one-line errors and exit 1', async () => {
    const bad = spawnShoal(['join', '--advertise=10.235.0.1:2376', '--heartbeat=5s', '--ttl=5s', url]);
    expect(await bad.exited).toBe(1);
    expect(bad.lines).toEqual(['Error: --ttl must be strictly superior to the heartbeat value (got ttl 5s)']);
    const noAddr = spawnShoal(['join', url], { SWARM_ADVERTISE: '' });
    expect(await noAddr.exited).toBe(1);
    expect(noAddr.lines).toEqual(['Error: missing mandatory --advertise flag (or SWARM_ADVERTISE)']);
    const consul = spawnShoal(['list', 'consul://127.0.0.1:8500']);
    expect(await consul.exited).toBe(1);
    expect(consul.lines[0]).toMatch(
      /^Error: consul:\/\/ is not available: .* use etcd:\/\/127\.0\.0\.1:2379/,
    );
    const noUrl = spawnShoal(['list'], { SWARM_DISCOVERY: '' });
    expect(await noUrl.exited).toBe(1);
    expect(noUrl.lines).toEqual(["Error: discovery required to list a cluster. See 'shoal list --help'."]);
  });

  it('shoal list takes the URL from $SWARM_DISCOVERY and honours kv.path', async () => {
    await client.put('shd/t5/n/10.235.0.20:2376').value('10.235.0.20:2376');
    const list = spawnShoal(['list', '--discovery-opt', 'kv.path=shd/t5/n'], { SWARM_DISCOVERY: url });
    expect(await list.exited).toBe(0);
    expect(list.lines).toEqual(['10.235.0.20:2376']);
  });
});
