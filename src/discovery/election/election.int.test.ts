import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Replication } from '../../cluster/replication.js';
import { type LocalEtcd, startLocalEtcd } from '../../kv/index.js';
import { type Child, CLI, eventually, spawnNode } from '../../testkit/discovery.js';
import { silenceableRelay } from '../../testkit/silent-relay.js';
import { type Clock, systemClock } from '../../util/clock.js';
import { Candidate } from './candidate.js';
import { Follower } from './follower.js';
import { createLeaderElection, type LeaderElection } from './leader-election.js';

const TTL_MS = 3000;
const DIST_INDEX = CLI.replace(/cli\/main\.js$/, 'discovery/index.js');

// A manager stand-in: campaigns with its address, prints `elected <epoch ms>`, resigns on SIGTERM.
const CANDIDATE = `
import { createLeaderElection } from ${JSON.stringify(DIST_INDEX)};
const [url, addr, ttl] = process.argv.slice(1);
const election = createLeaderElection(url, { ttlMs: Number(ttl), retryMs: 200 });
const c = election.candidate(addr);
c.on('elected', () => console.log('elected ' + Date.now()));
c.on('lost', () => console.log('lost ' + Date.now()));
c.on('error', (e) => console.log('error ' + e.message));
c.start();
console.log('campaigning');
process.once('SIGTERM', async () => { await c.resign(); await election.close(); console.log('resigned'); process.exit(0); });
`;

let dir: string;
let etcd: LocalEtcd;
let url: string;
let election: LeaderElection;
const children: Child[] = [];

function candidate(addr: string): Child {
  const c = spawnNode(['--input-type=module', '-e', CANDIDATE, url, addr, String(TTL_MS)]);
  children.push(c);
  return c;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shd-elect-'));
  etcd = await startLocalEtcd(dir, 'shd-elect');
  url = `etcd://${etcd.endpoints.join(',')}/shd`;
  election = createLeaderElection(url, { ttlMs: TTL_MS, retryMs: 200 });
});

afterAll(async () => {
  for (const c of children) await c.stop('SIGKILL');
  await election?.close();
  await etcd?.remove();
  await rm(dir, { recursive: true, force: true });
});

describe('leader election on etcd (real processes)', () => {
  it('only etcd:// supports election', () => {
    expect(() => createLeaderElection('nodes://a:1', { ttlMs: 1000 })).toThrow(
      'Leader Election is only supported with etcd discovery',
    );
    expect(election.key).toBe('shd/docker/swarm/leader');
  });

  it('one leader; killing it elects the standby within 2x TTL; a resign hands back; the follower sees each', async () => {
    const follower = election.follower();
    const leaders: string[] = [];
    follower.on('leader', (addr) => leaders.push(addr));
    follower.start();
    try {
      const a = candidate('10.235.0.1:3376');
      await a.waitLine(/^elected/);
      await eventually(async () => (follower.leader === '10.235.0.1:3376' ? true : undefined));
      const b = candidate('10.235.0.2:3376');
      await b.waitLine(/^campaigning/);

      const killedAt = Date.now();
      a.proc.kill('SIGKILL');
      const line = await b.waitLine(/^elected/, 4 * TTL_MS);
      const failoverMs = Number(line.split(' ')[1]) - killedAt;
      console.log(`failover after SIGKILL of the leader: ${failoverMs} ms (TTL ${TTL_MS} ms)`);
      expect(failoverMs).toBeLessThanOrEqual(2 * TTL_MS);
      await eventually(async () => (follower.leader === '10.235.0.2:3376' ? true : undefined));
      expect(b.lines.filter((l) => l.startsWith('elected'))).toHaveLength(1);

      const a2 = candidate('10.235.0.1:3376');
      await a2.waitLine(/^campaigning/);
      expect(await b.stop('SIGTERM')).toBe(0);
      expect(b.lines).toContain('resigned');
      await a2.waitLine(/^elected/);
      await eventually(async () => (follower.leader === '10.235.0.1:3376' ? true : undefined));
      expect(leaders).toEqual(['10.235.0.1:3376', '10.235.0.2:3376', '10.235.0.1:3376']);
      expect(await a2.stop('SIGTERM')).toBe(0);
    } finally {
      await follower.close();
    }
  });

  it('a candidate whose key is deleted under it reports lost and campaigns again', async () => {
    const c = election.candidate('10.235.0.3:3376');
    const events: string[] = [];
    c.on('elected', () => events.push('elected'));
    c.on('lost', () => events.push('lost'));
    c.start();
    try {
      await eventually(async () => (events.includes('elected') ? true : undefined));
      const admin = createLeaderElection(url, { ttlMs: TTL_MS });
      // Delete the key behind the leader's back, as an operator would.
      const { Etcd3 } = await import('etcd3');
      const raw = new Etcd3({ hosts: etcd.endpoints.map((e) => `http://${e}`) });
      await raw.delete().key(admin.key);
      raw.close();
      await admin.close();
      await eventually(async () => (events.filter((e) => e === 'elected').length === 2 ? true : undefined));
      expect(events).toEqual(['elected', 'lost', 'elected']);
      expect(c.isLeader).toBe(true);
    } finally {
      await c.resign();
    }
    expect(c.isLeader).toBe(false);
  });

  it('a standby whose watch stream sits on a member that went silent still sees the key go, and takes over', async () => {
    const member = etcd.endpoints[0] ?? '';
    const relay = await silenceableRelay(member);
    // The etcd client picks members in a fixed order here (the last endpoint first), so the standby's watch stream
    // surely runs through the relay; its unary calls try the relay first, then the member itself.
    const { ConnectionPool } = await import('etcd3/lib/connection-pool.js');
    ConnectionPool.deterministicOrder = true;
    const leader = createLeaderElection(`etcd://${member}/shd-silent`, { ttlMs: TTL_MS, retryMs: 200 });
    const standby = createLeaderElection(`etcd://${member},${relay.endpoint}/shd-silent`, {
      ttlMs: TTL_MS,
      retryMs: 200,
    });
    const a = leader.candidate('10.235.0.5:3376');
    const b = standby.candidate('10.235.0.6:3376');
    const follower = standby.follower();
    const events: string[] = [];
    a.on('elected', () => events.push('a elected'));
    b.on('elected', () => events.push('b elected'));
    follower.on('leader', (addr) => events.push(`leader ${addr}`));
    follower.on('vacant', () => events.push('vacant'));
    try {
      a.start();
      await eventually(async () => (events.includes('a elected') ? true : undefined));
      b.start();
      follower.start();
      await eventually(async () => (events.includes('leader 10.235.0.5:3376') ? true : undefined));
      // Let the standby settle into waiting on its watch, then cut the relay and hand the key back.
      await new Promise((r) => setTimeout(r, 1000));
      relay.silence();
      const cut = Date.now();
      await a.resign();
      // Without the reads beside the watch, the standby would wait for the silent stream for minutes.
      await eventually(async () => (events.includes('b elected') ? true : undefined), 60_000);
      await eventually(async () => (events.includes('leader 10.235.0.6:3376') ? true : undefined), 30_000);
      console.log(`standby elected ${Date.now() - cut} ms after the leader resigned behind a silent member`);
      expect(b.isLeader).toBe(true);
      expect(events.filter((e) => e === 'b elected')).toHaveLength(1);
    } finally {
      ConnectionPool.deterministicOrder = false;
      await follower.close();
      await b.resign();
      await a.resign();
      await relay.close();
      await standby.close();
      await leader.close();
    }
  }, 120_000);

  it('a primary frozen past its TTL is no longer primary from its first instant awake, before its loop runs', async () => {
    const { Etcd3 } = await import('etcd3');
    const raw = new Etcd3({ hosts: etcd.endpoints.map((e) => `http://${e}`) });
    // The manager's clock; `frozenFor` stands for time that passed while the process did not run at all.
    let frozenFor = 0;
    const clock: Clock = { now: () => Date.now() + frozenFor, sleep: systemClock.sleep };
    const addr = '10.235.0.4:3376';
    const rep = new Replication(
      {
        key: election.key,
        candidate: (a) => new Candidate(raw, election.key, a, { ttlMs: TTL_MS, retryMs: 200, clock }),
        follower: () => new Follower(raw, election.key, { retryMs: 200 }),
        close: async () => undefined,
      },
      addr,
      { clock },
    );
    const events: string[] = [];
    rep.on('elected', () => events.push('elected'));
    rep.on('lost', () => events.push('lost'));
    rep.on('leader', (a) => events.push(`leader ${a}`));
    const errors: string[] = [];
    rep.on('error', (e) => errors.push(e.message));
    rep.start();
    try {
      await eventually(async () =>
        events.includes(`leader ${addr}`) && rep.role() === 'primary' ? true : undefined,
      );
      expect(rep.primary()).toBe(addr);
      expect(rep.fence()?.key).toBe(election.key);

      // Wakes up one TTL later: no event and no timer has run yet, the leader key still names it.
      frozenFor = TTL_MS;
      expect(rep.role()).toBe('replica');
      expect(rep.fence()).toBeUndefined();
      expect(rep.primary()).toBeUndefined();

      // Its loop then finds the lease run out, steps down, and campaigns again (etcd still had the key: it wins).
      await eventually(async () => (events.filter((e) => e === 'elected').length === 2 ? true : undefined));
      expect(events.filter((e) => e === 'lost')).toHaveLength(1);
      expect(errors).toEqual(['leader election: lease not renewed within its TTL (3000 ms)']);
      expect(rep.role()).toBe('primary');
      expect(rep.primary()).toBe(addr);
    } finally {
      await rep.close();
      raw.close();
    }
  });
});
