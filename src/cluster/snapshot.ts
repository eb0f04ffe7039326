import type { ContainerSnapshot, NodeSnapshot, PortBinding } from '../scheduler/types.js';
import type { CachedContainer } from './engine-cache.js';
import type { ContainerInspect } from './engine-types.js';
import type { EngineState } from './health.js';
import { sharesToCpus } from './swarm-config.js';

/** The parts of an engine a snapshot is built from. */
export interface SnapshotSource {
  readonly id: string;
  readonly name: string;
  readonly addr: string;
  readonly ip: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly state: EngineState;
  readonly healthIndicator: number;
  readonly cpus: number;
  readonly memory: number;
  readonly cache: {
    containers(): readonly CachedContainer[];
    images(): readonly { readonly Id: string; readonly RepoTags?: string[] | null }[];
  };
}

/**
 * Capacity with overcommit, as Swarm computes it (docs/behaviour/cli.md#cluster-options):
 * `pct = trunc(overcommit × 100)`, total = real + trunc(real × pct / 100), integer arithmetic.
 */
export function withOvercommit(real: number, overcommit: number): number {
  const pct = Math.trunc(overcommit * 100);
  return real + Math.trunc((real * pct) / 100);
}

function bindings(
  map: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null | undefined,
): PortBinding[] {
  const out: PortBinding[] = [];
  for (const [containerPort, list] of Object.entries(map ?? {})) {
    for (const b of list ?? [])
      out.push({ containerPort, hostIp: b.HostIp ?? '', hostPort: b.HostPort ?? '' });
  }
  return out;
}

/**
 * The scheduler's view of one cached container. CPUs are the engine's real `CpuShares` converted back to a CPU
 * count for an engine with `engineCpus` CPUs (Swarm's `shares × cpus / 1024`, integer).
 */
export function containerSnapshot(info: ContainerInspect, engineCpus: number): ContainerSnapshot {
  const hc = info.HostConfig ?? {};
  return {
    id: info.Id,
    names: [info.Name.replace(/^\//, '')],
    image: info.Config?.Image ?? '',
    imageId: info.Image,
    labels: info.Config?.Labels ?? {},
    state: info.State?.Status ?? '',
    networkMode: hc.NetworkMode ?? '',
    requestedPorts: bindings(hc.PortBindings),
    publishedPorts: bindings(info.NetworkSettings?.Ports).filter((b) => b.hostPort !== ''),
    exposedPorts: Object.keys(info.Config?.ExposedPorts ?? {}),
    cpus: sharesToCpus(hc.CpuShares ?? 0, engineCpus),
    memory: hc.Memory ?? 0,
  };
}

/**
 * Builds the scheduler's {@link NodeSnapshot} of an engine: cached containers plus `pending` (in-flight creates
 * reserved on it, usually added later by the scheduler's `ReservationBook.apply`), totals including overcommit.
 * `toSnapshot` turns one cached container into its snapshot (default {@link containerSnapshot}; the snapshot cache
 * passes one that reuses the snapshots of containers that did not change).
 */
export function snapshotOf(
  engine: SnapshotSource,
  overcommit: number,
  pending: readonly ContainerSnapshot[] = [],
  toSnapshot: (c: CachedContainer, engineCpus: number) => ContainerSnapshot = (c, cpus) =>
    containerSnapshot(c.info, cpus),
): NodeSnapshot {
  return {
    id: engine.id,
    name: engine.name,
    addr: engine.addr,
    ip: engine.ip,
    labels: engine.labels,
    state: engine.state,
    healthIndicator: engine.healthIndicator,
    totalCpus: withOvercommit(engine.cpus, overcommit),
    totalMemory: withOvercommit(engine.memory, overcommit),
    containers: [...engine.cache.containers().map((c) => toSnapshot(c, engine.cpus)), ...pending],
    images: engine.cache.images().map((i) => ({ id: i.Id, repoTags: i.RepoTags ?? [] })),
  };
}
