/**
 * Two managers over one real etcd (loopback, no engines): the desired-state record of a container can be claimed by
 * exactly one of them, whoever races, and a primary that lost its lease cannot write at all
 * (docs/behaviour/rescheduling.md). Each manager has its own etcd client and its own election candidate, as two
 * `shoal manage --replication` processes do.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Candidate } from '../../discovery/election/index.js';
import { type LocalEtcd, startLocalEtcd } from '../../kv/index.js';
import { NotPrimaryError } from '../errors.js';
import { EtcdStateStore } from './etcd-state-store.js';
import type { DesiredContainer } from './state-store.js';

const PREFIX = 'shs';
const LEADER_KEY = `${PREFIX}/docker/swarm/leader`;

interface Manager {
  readonly client: Etcd3;
  readonly candidate: Candidate;
  readonly store: EtcdStateStore;
}

let dir = '';
let etcd: LocalEtcd;
const managers: Manager[] = [];

function manager(addr: string): Manager {
  const client = new Etcd3({ hosts: etcd.endpoints.map((e) => `http://${e}`) });
  const candidate = new Candidate(client, LEADER_KEY, addr, { ttlMs: 2000, retryMs: 100 });
  const m = { client, candidate, store: new EtcdStateStore(client, PREFIX, () => candidate.fence()) };
  managers.push(m);
  return m;
}

function record(swarmId: string, node: string): DesiredContainer {
  return {
    swarmId,
    name: `web-${swarmId}`,
    containerId: `${swarmId}-on-${node}`.padEnd(64, '0'),
    node: { id: node, name: node, addr: `${node}:2376` },
    config: { Image: 'busybox' },
    networks: [],
    running: true,
    updatedAt: 0,
  };
}

async function until<T>(what: string, probe: () => T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shs-state-'));
  etcd = await startLocalEtcd(dir, 'shs-state');
});

afterAll(async () => {
  for (const m of managers) {
    await m.candidate.resign().catch(() => undefined);
    m.client.close();
  }
  await etcd?.remove();
  await rm(dir, { recursive: true, force: true });
});

describe('the rescheduling record with two managers on one etcd', () => {
  it('only the primary writes; concurrent claims of one record: exactly one wins', async () => {
    const a = manager('10.0.0.1:3376');
    const b = manager('10.0.0.2:3376');
    a.candidate.start();
    await until('a primary', () => (a.candidate.isLeader ? true : undefined));
    b.candidate.start();

    expect(await a.store.putContainer(record('s1', 'node1'), null)).toBeDefined();
    // the standby may not write, whatever version it expects
    const seen = (await b.store.containers()).get('s1');
    expect(seen?.value.node.id).toBe('node1');
    await expect(b.store.putContainer(record('s1', 'node9'), seen!.version)).rejects.toBeInstanceOf(
      NotPrimaryError,
    );

    // 20 claims of the same version at once (two reconcile rounds racing): one succeeds, the rest are refused
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) => a.store.putContainer(record('s1', `node${i + 2}`), seen!.version)),
    );
    const won = claims.flatMap((c, i) => (c === undefined ? [] : [i]));
    expect(won).toHaveLength(1);
    const after = (await b.store.containers()).get('s1');
    expect(after?.value.node.id).toBe(`node${won[0]! + 2}`);
    // creating a record that exists is refused too
    expect(await a.store.putContainer(record('s1', 'nodeX'), null)).toBeUndefined();
  });

  it('a primary that lost its lease cannot claim, even holding its old fence; the new primary can', async () => {
    const [a, b] = managers as [Manager, Manager];
    const stale = a.candidate.fence()!;
    expect(stale).toBeDefined();
    const frozen = new EtcdStateStore(a.client, PREFIX, () => stale);
    const before = (await b.store.containers()).get('s1')!;

    await a.candidate.resign();
    await until('the standby elected', () => (b.candidate.isLeader ? true : undefined));

    // the frozen primary's transaction is refused: the leader key was created again, by another lease
    expect(await frozen.putContainer(record('s1', 'zombie'), before.version)).toBeUndefined();
    expect(await frozen.removeContainer('s1', before.version)).toBe(false);
    // and its own candidate, no longer leader, refuses to write at all
    await expect(a.store.putContainer(record('s1', 'zombie'), before.version)).rejects.toBeInstanceOf(
      NotPrimaryError,
    );
    const still = (await b.store.containers()).get('s1')!;
    expect(still).toEqual(before);

    const moved = await b.store.putContainer(record('s1', 'node42'), before.version);
    expect(moved).toBeDefined();
    expect((await a.store.containers()).get('s1')?.value.node.id).toBe('node42');
  });

  it('remembers removed containers apart from the records, written by the primary only', async () => {
    const [a, b] = managers as [Manager, Manager];
    const gone = {
      swarmId: 's2',
      name: 'web-s2',
      removedAt: 5,
      staleCopies: [
        { node: { id: 'node3', name: 'node3', addr: 'node3:2376' }, containerId: 'c'.repeat(64), since: 4 },
      ],
    };
    await b.store.putRemoved(gone);
    expect((await a.store.removed()).get('s2')).toEqual(gone);
    // not a desired container: the records are untouched
    expect([...(await a.store.containers()).keys()]).toEqual(['s1']);
    // the standby (the old primary) may neither write nor forget
    await expect(a.store.putRemoved({ ...gone, name: 'zombie' })).rejects.toBeInstanceOf(NotPrimaryError);
    await expect(a.store.forgetRemoved('s2')).rejects.toBeInstanceOf(NotPrimaryError);
    expect((await b.store.removed()).get('s2')?.name).toBe('web-s2');
    await b.store.forgetRemoved('s2');
    expect((await a.store.removed()).size).toBe(0);
  });
});
