import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespaces, destroyNamespaces } from '../host/namespaces.js';
import { ensureBridge, plugVeth, releaseBridge, unplugVeth } from '../machine/drivers/netns/network.js';
import { parseSubnet } from '../machine/drivers/netns/subnet.js';
import { createKvCluster, type KvCluster } from './kv-cluster.js';

// Three namespace hosts on this area's own bridge and subnet, one etcd member inside each.
const SUBNET = parseSubnet('10.235.0.0/24');
const BRIDGE = 'shd-br0';
const HOSTS = [0, 1, 2].map((i) => ({
  ns: `shd-kv${i}`,
  ip: `10.235.0.${i + 2}`,
  veth: `shd-v${i}`,
  peer: `shd-p${i}`,
}));

let dir: string;
let cluster: KvCluster | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shd-kvns-'));
  await ensureBridge(BRIDGE, SUBNET);
  for (const h of HOSTS) {
    await createNamespaces(h.ns, h.ns, dir);
    await plugVeth({ ns: h.ns, bridge: BRIDGE, subnet: SUBNET, ip: h.ip, veth: h.veth, peer: h.peer });
  }
});

afterAll(async () => {
  try {
    await cluster?.remove();
  } finally {
    for (const h of HOSTS) {
      await unplugVeth(h.veth);
      await destroyNamespaces(h.ns);
    }
    await releaseBridge(BRIDGE);
    await rm(dir, { recursive: true, force: true });
  }
});

describe('KV cluster inside netns hosts', () => {
  it('runs one member per host namespace, reachable on the hosts subnet, with quorum after losing one', async () => {
    cluster = createKvCluster({
      name: 'shd',
      members: HOSTS.map((h) => ({ host: h.ns, ip: h.ip, ns: h.ns })),
      dataDir: join(dir, 'kv'),
    });
    await cluster.start();
    const h = await cluster.health();
    expect(h.map((m) => [m.endpoint, m.reachable])).toEqual([
      ['10.235.0.2:2379', true],
      ['10.235.0.3:2379', true],
      ['10.235.0.4:2379', true],
    ]);
    expect(h.filter((m) => m.leader)).toHaveLength(1);
    const client = new Etcd3({ hosts: cluster.endpoints().map((e) => `http://${e}`) });
    try {
      await cluster.stopMember(0);
      await client.put('shd/probe').value('ok');
      expect(await client.get('shd/probe').string()).toBe('ok');
      await cluster.startMember(0);
      expect((await cluster.health()).every((m) => m.reachable)).toBe(true);
    } finally {
      client.close();
    }
  });
});
