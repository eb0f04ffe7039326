/**
 * Faults of a whole engine or host: dockerd killed hard (then `shoal machine start`), dockerd restarted gracefully
 * (`shoal machine restart`), and the whole host killed (`shoal machine kill`: dockerd, containers, manager and
 * agent at once; then `shoal machine start`). A down engine stays down long enough (8 s) for its node to count as
 * failed, so containers with a policy are rescheduled and the returning node must drop the old copies.
 */
import type { ChaosCluster } from '../cluster.js';
import { choose, type Fault, type FaultContext, type Injected, signal, sleep } from './fault.js';

/** How long a killed engine or host stays down: past the reschedule grace (3 s) and the refresh interval. */
const DOWN_MS = 8000;

async function machine(cluster: ChaosCluster, op: string, host: string): Promise<void> {
  const r = await cluster.shoal(['machine', op, host]);
  if (r.code !== 0)
    throw new Error(`shoal machine ${op} ${host} failed: ${r.stderr.trim() || r.stdout.trim()}`);
}

function hostNames(cluster: ChaosCluster): string[] {
  return cluster.hosts.map((h) => h.name);
}

/** SIGKILL of a host's dockerd (containerd, shims and containers are left as they are), then machine start. */
export const killDockerd: Fault = {
  kind: 'kill-dockerd',
  description: 'SIGKILL a dockerd; 8 s later `shoal machine start` starts the engine again',
  async inject({ cluster, rng }: FaultContext): Promise<Injected> {
    const host = choose(rng, hostNames(cluster));
    const pid = await cluster.dockerdPid(host);
    if (pid === undefined || !signal(pid, 'SIGKILL')) throw new Error(`no dockerd to kill on ${host}`);
    await sleep(DOWN_MS);
    return { target: host, violations: [], notes: [], heal: () => machine(cluster, 'start', host) };
  },
};

/** A graceful dockerd restart (`shoal machine restart`: SIGTERM, wait, start). */
export const restartDockerd: Fault = {
  kind: 'restart-dockerd',
  description: 'restart a dockerd gracefully (`shoal machine restart`)',
  async inject({ cluster, rng }: FaultContext): Promise<Injected> {
    const host = choose(rng, hostNames(cluster));
    await machine(cluster, 'restart', host);
    return { target: host, violations: [], notes: [], heal: async () => undefined };
  },
};

let hostKills = 0;

/**
 * `shoal machine kill` of a whole host; every other time the primary manager's host (so the primary dies with its
 * node and its containers), else another host chosen at random.
 */
export const killHost: Fault = {
  kind: 'kill-host',
  description:
    "`shoal machine kill` a whole host (every other time the primary's), 8 s later `machine start`",
  async inject({ cluster, rng }: FaultContext): Promise<Injected> {
    const primary = await cluster.primary();
    const others = hostNames(cluster).filter((h) => h !== primary);
    const host = hostKills++ % 2 === 0 && primary ? primary : choose(rng, others);
    await machine(cluster, 'kill', host);
    await sleep(DOWN_MS);
    return {
      target: host === primary ? `${host} (primary)` : host,
      violations: [],
      notes: [],
      heal: () => machine(cluster, 'start', host),
    };
  },
};
