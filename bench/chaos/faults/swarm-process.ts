/**
 * SIGKILL of a swarm process (a manager or an agent) inside its container: the engine's restart policy `always`
 * brings it back; the heal waits for that (and starts the container itself if the engine did not within 30 s).
 */
import { AGENT_CONTAINER, MASTER_CONTAINER } from '../../../src/machine/swarm/swarm-containers.js';
import type { ChaosCluster } from '../cluster.js';
import { choose, type Fault, type FaultContext, type Injected, signal, waitFor } from './fault.js';

async function killSwarmProcess(
  cluster: ChaosCluster,
  host: string,
  container: string,
  what: string,
): Promise<Injected> {
  const pid = await cluster.containerPid(host, container);
  if (pid === undefined) throw new Error(`${what} on ${host} is not running`);
  if (!signal(pid, 'SIGKILL')) throw new Error(`cannot kill ${what} (PID ${pid})`);
  const notes: string[] = [];
  return {
    target: `${what}@${host}`,
    violations: [],
    notes,
    heal: async () => {
      const back = await waitFor(async () => {
        const p = await cluster.containerPid(host, container);
        return p !== undefined && p !== pid ? p : undefined;
      }, 30_000);
      if (back === undefined) {
        notes.push(`${container} was not restarted by its engine within 30 s; started it`);
        await cluster.call(cluster.engine(host), 'POST', `/containers/${container}/start`);
      }
    },
  };
}

/** kill -9 of the primary's manager process. */
export const killPrimaryManager: Fault = {
  kind: 'kill-primary-manager',
  description: "SIGKILL the primary's manager process; its engine restarts it",
  async inject({ cluster }: FaultContext) {
    const primary = await cluster.primary();
    if (!primary) throw new Error('no primary to kill');
    return killSwarmProcess(cluster, primary, MASTER_CONTAINER, 'primary manager');
  },
};

/** kill -9 of the replica's manager process. */
export const killReplicaManager: Fault = {
  kind: 'kill-replica-manager',
  description: "SIGKILL the replica's manager process; its engine restarts it",
  async inject({ cluster, rng }: FaultContext) {
    const primary = await cluster.primary();
    const replicas = cluster.managers.filter((m) => m.name !== primary).map((m) => m.name);
    return killSwarmProcess(cluster, choose(rng, replicas), MASTER_CONTAINER, 'replica manager');
  },
};

/** kill -9 of an agent. */
export const killAgent: Fault = {
  kind: 'kill-agent',
  description: 'SIGKILL the agent of a host; its engine restarts it',
  async inject({ cluster, rng }: FaultContext) {
    const host = choose(
      rng,
      cluster.hosts.map((h) => h.name),
    );
    return killSwarmProcess(cluster, host, AGENT_CONTAINER, 'agent');
  },
};
