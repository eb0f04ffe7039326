import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKvCluster } from './kv-cluster.js';
import { type LocalEtcd, startLocalEtcd } from './local-etcd.js';

let dir: string;
let kv: LocalEtcd;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shd-kv-'));
  kv = await startLocalEtcd(dir, 'shd-kv', 3);
});

afterAll(async () => {
  await kv?.remove();
  await rm(dir, { recursive: true, force: true });
});

describe('3-member etcd KV cluster (real processes)', () => {
  it('starts healthy with one leader, the v2 API on, and survives losing a member', async () => {
    const h = await kv.cluster.health();
    expect(h.map((m) => m.reachable)).toEqual([true, true, true]);
    expect(h.filter((m) => m.leader)).toHaveLength(1);
    expect(h.every((m) => m.pid !== undefined)).toBe(true);

    // The engines' --cluster-store=etcd:// speaks the v2 keys API.
    const v2 = await fetch(`http://${kv.endpoints[0]}/v2/keys/`);
    expect(v2.status).toBe(200);

    const client = new Etcd3({ hosts: kv.endpoints.map((e) => `http://${e}`) });
    try {
      await client.put('shd/probe').value('1');
      const leader = h.findIndex((m) => m.leader);
      expect(await kv.cluster.stopMember(leader)).toBe(true);
      const after = await kv.cluster.health();
      expect(after[leader]?.reachable).toBe(false);
      expect(after[leader]?.pid).toBeUndefined();
      expect(after.filter((m) => m.reachable)).toHaveLength(2);

      // Quorum 2 of 3: still writable through the remaining endpoints.
      await client.put('shd/probe').value('2');
      expect(await client.get('shd/probe').string()).toBe('2');

      await kv.cluster.startMember(leader);
      const back = await kv.cluster.health();
      expect(back.map((m) => m.reachable)).toEqual([true, true, true]);
      const revs = back.map((m) => m.revision);
      expect(Math.min(...revs)).toBeGreaterThanOrEqual(2);
    } finally {
      client.close();
    }
  });

  it('a later command reloads the cluster from its record; remove stops members by PID and deletes the data', async () => {
    const again = await loadKvCluster(kv.cluster.spec.dataDir);
    expect(again?.endpoints()).toEqual(kv.endpoints);
    const pids = (await kv.cluster.health()).map((m) => m.pid as number);
    await again?.remove();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    await expect(access(kv.cluster.spec.dataDir)).rejects.toThrow();
    expect(await loadKvCluster(kv.cluster.spec.dataDir)).toBeUndefined();
  });
});
