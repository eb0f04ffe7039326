import type { ContainerSnapshot, NodeSnapshot } from '../scheduler/types.js';
import type { Engine } from './engine.js';
import type { CachedContainer } from './engine-cache.js';
import { containerSnapshot, snapshotOf } from './snapshot.js';

/** What a kept snapshot was built from; any difference rebuilds it. */
interface Built {
  readonly version: number;
  readonly state: string;
  readonly health: number;
  readonly id: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly cpus: number;
  readonly memory: number;
  readonly snapshot: NodeSnapshot;
}

function fresh(b: Built, e: Engine): boolean {
  return (
    b.version === e.cache.version &&
    b.state === e.state &&
    b.health === e.healthIndicator &&
    b.id === e.id &&
    b.name === e.name &&
    b.labels === e.labels &&
    b.cpus === e.cpus &&
    b.memory === e.memory
  );
}

/**
 * The scheduler's snapshot of each engine (without reservations), kept until the engine's cache
 * {@link EngineCache.version}, state, health, identity, labels or resources change. Returning the same object
 * between changes lets the scheduler's per-snapshot caches (keyed by identity) keep hitting between creates.
 */
export class SnapshotCache {
  private readonly built = new WeakMap<Engine, Built>();
  /**
   * Each cached container's snapshot, for the engine CPU count it was converted with. Cache entries are replaced,
   * never changed, when a container is re-read, so an engine's snapshot rebuilt after one container changed
   * converts that one container only.
   */
  private readonly containers = new WeakMap<CachedContainer, { cpus: number; snapshot: ContainerSnapshot }>();
  private readonly toSnapshot = (c: CachedContainer, cpus: number): ContainerSnapshot => {
    const kept = this.containers.get(c);
    if (kept?.cpus === cpus) return kept.snapshot;
    const snapshot = containerSnapshot(c.info, cpus);
    this.containers.set(c, { cpus, snapshot });
    return snapshot;
  };

  constructor(private readonly overcommit: number) {}

  /** The engine's snapshot, rebuilt only when something it shows changed. */
  get(e: Engine): NodeSnapshot {
    const b = this.built.get(e);
    if (b && fresh(b, e)) return b.snapshot;
    const snapshot = snapshotOf(e, this.overcommit, [], this.toSnapshot);
    this.built.set(e, {
      version: e.cache.version,
      state: e.state,
      health: e.healthIndicator,
      id: e.id,
      name: e.name,
      labels: e.labels,
      cpus: e.cpus,
      memory: e.memory,
      snapshot,
    });
    return snapshot;
  }
}
