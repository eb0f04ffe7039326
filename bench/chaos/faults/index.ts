/** Every fault kind, by name: the campaign's table. */
import { killDockerd, killHost, restartDockerd } from './engine.js';
import { stopEtcdFollower, stopEtcdLeader, stopEtcdQuorum } from './etcd.js';
import type { Fault } from './fault.js';
import { idleTlsFlood } from './flood.js';
import { partitionHost } from './partition.js';
import { killAgent, killPrimaryManager, killReplicaManager } from './swarm-process.js';
import { freezePrimary } from './zombie.js';

export type { Fault, FaultContext, Injected } from './fault.js';
export { sleep, waitFor } from './fault.js';

/** The fault kinds, in a fixed order (the campaign shuffles them with its seed). */
export const FAULTS: readonly Fault[] = [
  killPrimaryManager,
  killReplicaManager,
  killAgent,
  killDockerd,
  killHost,
  stopEtcdLeader,
  stopEtcdFollower,
  stopEtcdQuorum,
  partitionHost,
  freezePrimary,
  restartDockerd,
  idleTlsFlood,
];

/** The faults named in `kinds` (all when empty). @throws Error naming an unknown kind and the valid ones. */
export function selectFaults(kinds: readonly string[]): Fault[] {
  if (!kinds.length) return [...FAULTS];
  return kinds.map((k) => {
    const f = FAULTS.find((x) => x.kind === k);
    if (!f) throw new Error(`unknown fault kind "${k}"; valid: ${FAULTS.map((x) => x.kind).join(', ')}`);
    return f;
  });
}
