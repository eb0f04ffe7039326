import { sharesToCpus } from '../scheduler/request.js';
import type { Engine } from './engine.js';
import { withOvercommit } from './snapshot.js';

/** One node's lines of `docker info` (§1.15), as data; the API layer renders the text. */
export interface NodeInfo {
  /** Engine name or `(unknown)`. */
  readonly name: string;
  readonly addr: string;
  readonly id: string;
  /** `Healthy`, `Unhealthy`, `Pending` or `Disconnected`. */
  readonly status: string;
  readonly containers: number;
  readonly running: number;
  readonly paused: number;
  readonly stopped: number;
  /** Reserved CPUs (containers' CpuShares converted to CPUs) and total including overcommit. */
  readonly reservedCpus: number;
  readonly totalCpus: number;
  /** Reserved and total memory in bytes (total including overcommit). */
  readonly reservedMemory: number;
  readonly totalMemory: number;
  /** `k=v` labels, sorted. */
  readonly labels: readonly string[];
  /** Last error ('' = no `└ Error` line). */
  readonly error: string;
  /** RFC 3339 UTC (`2016-05-04T10:11:12Z`). */
  readonly updatedAt: string;
  readonly serverVersion: string;
  /** Whether the engine is healthy (container counts show R/P/S only then). */
  readonly healthy: boolean;
}

/** Cluster-wide data for `/info`. */
export interface ClusterInfo {
  /** Per node, sorted by natural name order. */
  readonly nodes: readonly NodeInfo[];
  /** Sums over active (validated) engines. */
  readonly containers: number;
  readonly running: number;
  readonly paused: number;
  readonly stopped: number;
  /** Image count over active engines. */
  readonly images: number;
  /** Totals including overcommit over active engines. */
  readonly ncpu: number;
  readonly memTotal: number;
}

const collator = new Intl.Collator('en', { numeric: true });

function rfc3339(ms: number): string {
  return new Date(ms || 0).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const reservedMemo = new WeakMap<Engine, { version: number; engineCpus: number; cpus: number }>();

/**
 * CPUs reserved on an engine: each container's CpuShares converted to CPUs as Swarm did, summed. Recomputed only
 * when the engine's cache version or CPU count changed.
 */
export function reservedCpus(engine: Engine): number {
  const memo = reservedMemo.get(engine);
  if (memo && memo.version === engine.cache.version && memo.engineCpus === engine.cpus) return memo.cpus;
  let cpus = 0;
  for (const c of engine.cache.containers())
    cpus += sharesToCpus(c.info.HostConfig?.CpuShares ?? 0, engine.cpus);
  reservedMemo.set(engine, { version: engine.cache.version, engineCpus: engine.cpus, cpus });
  return cpus;
}

/** Node info for one engine. */
export function nodeInfo(engine: Engine, overcommit: number): NodeInfo {
  const { total, running, paused, stopped, memory } = engine.cache.stats();
  const cpus = reservedCpus(engine);
  return {
    name: engine.displayName,
    addr: engine.addr,
    id: engine.id,
    status: capital(engine.state),
    containers: total,
    running,
    paused,
    stopped,
    reservedCpus: cpus,
    totalCpus: withOvercommit(engine.cpus, overcommit),
    reservedMemory: memory,
    totalMemory: withOvercommit(engine.memory, overcommit),
    labels: Object.entries(engine.labels)
      .map(([k, v]) => `${k}=${v}`)
      .sort(),
    error: engine.lastError,
    updatedAt: rfc3339(engine.updatedAt),
    serverVersion: engine.serverVersion,
    healthy: engine.state === 'healthy',
  };
}

/** Builds {@link ClusterInfo} from every engine (pending ones listed, not counted in totals). */
export function clusterInfo(engines: readonly Engine[], overcommit: number): ClusterInfo {
  const nodes = engines.map((e) => nodeInfo(e, overcommit)).sort((a, b) => collator.compare(a.name, b.name));
  let containers = 0;
  let running = 0;
  let paused = 0;
  let stopped = 0;
  let images = 0;
  let ncpu = 0;
  let memTotal = 0;
  for (const e of engines) {
    if (!e.active) continue;
    const n = nodeInfo(e, overcommit);
    containers += n.containers;
    running += n.running;
    paused += n.paused;
    stopped += n.stopped;
    images += e.cache.images().length;
    ncpu += n.totalCpus;
    memTotal += n.totalMemory;
  }
  return { nodes, containers, running, paused, stopped, images, ncpu, memTotal };
}
