/**
 * Faults of the KV cluster: the raft leader stopped, a follower stopped, and two of three members stopped (quorum
 * lost) — each for a while, then started again. Members are stopped by PID (SIGTERM) through shoal's KV cluster.
 */
import type { KvMemberHealth } from '../../../src/kv/index.js';
import type { ChaosCluster } from '../cluster.js';
import { choose, type Fault, type FaultContext, type Injected, sleep } from './fault.js';

async function members(cluster: ChaosCluster): Promise<KvMemberHealth[]> {
  return cluster.kv().health(2000);
}

async function stopFor(
  cluster: ChaosCluster,
  indexes: number[],
  holdMs: number,
  target: string,
): Promise<Injected> {
  const kv = cluster.kv();
  for (const i of indexes) await kv.stopMember(i);
  await sleep(holdMs);
  return {
    target,
    violations: [],
    notes: [],
    heal: async () => {
      await Promise.all(indexes.map((i) => kv.startMember(i)));
    },
  };
}

/** The raft leader member stopped for 6 s. */
export const stopEtcdLeader: Fault = {
  kind: 'stop-etcd-leader',
  description: 'stop the etcd leader member for 6 s, then start it',
  async inject({ cluster }: FaultContext) {
    const all = await members(cluster);
    const i = all.findIndex((m) => m.leader);
    if (i < 0) throw new Error('no etcd leader');
    return stopFor(cluster, [i], 6000, all[i]?.name ?? String(i));
  },
};

/** A follower member stopped for 6 s. */
export const stopEtcdFollower: Fault = {
  kind: 'stop-etcd-follower',
  description: 'stop an etcd follower member for 6 s, then start it',
  async inject({ cluster, rng }: FaultContext) {
    const all = await members(cluster);
    const followers = all.map((m, i) => ({ m, i })).filter((x) => x.m.reachable && !x.m.leader);
    const pick = choose(rng, followers);
    return stopFor(cluster, [pick.i], 6000, pick.m.name);
  },
};

/** Two of three members stopped for 8 s: no quorum, no lease keepalive, no election. */
export const stopEtcdQuorum: Fault = {
  kind: 'stop-etcd-quorum',
  description: 'stop 2 of 3 etcd members (quorum lost) for 8 s, then start both',
  async inject({ cluster, rng }: FaultContext) {
    const all = await members(cluster);
    const keep = Math.floor(rng() * all.length);
    const stop = all.map((_, i) => i).filter((i) => i !== keep);
    return stopFor(cluster, stop, 8000, stop.map((i) => all[i]?.name).join('+'));
  },
};
