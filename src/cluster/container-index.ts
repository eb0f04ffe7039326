import { type ContainerKeys, SWARM_ID_LABEL } from '../scheduler/lookup.js';
import type { Engine } from './engine.js';
import type { CachedContainer } from './engine-cache.js';

/** A cached container together with the engine holding it. */
export interface NodeContainer<N = Engine> {
  readonly node: N;
  readonly container: CachedContainer;
}

/** The names of a cached container as the engine lists them (`/web`, link aliases `/app/db`). */
export function containerNames(c: CachedContainer): readonly string[] {
  return c.summary.Names?.length ? c.summary.Names : [c.info.Name];
}

/** How Swarm's container lookup reads a cached container (`findContainer` in `src/scheduler/lookup.ts`). */
export const CACHED_CONTAINER_KEYS: ContainerKeys<NodeContainer> = {
  id: (e) => e.container.info.Id,
  swarmId: (e) =>
    e.container.info.Config?.Labels?.[SWARM_ID_LABEL] ?? e.container.summary.Labels?.[SWARM_ID_LABEL],
  names: (e) => containerNames(e.container),
  node: (e) => e.node,
};

/** One engine's containers with its engine, at one cache revision. */
interface EngineContainers {
  readonly revision: number;
  readonly list: NodeContainer<Engine>[];
}

/**
 * Containers across engines for lookups: the flat list of every engine's containers, each engine's part rebuilt
 * only when that engine's container list changed ({@link EngineCache.revision}). Names are looked up in the
 * cluster's `ContainerDirectory` instead.
 */
export class ContainerIndex {
  private readonly perEngine = new WeakMap<Engine, EngineContainers>();
  private all: { engines: Engine[]; revisions: number[]; list: NodeContainer<Engine>[] } | undefined;

  /**
   * Every container of `engines`, with its engine. The same array is returned until an engine's container list or
   * the engine list changes; treat it as read-only.
   */
  containers(engines: Engine[]): NodeContainer<Engine>[] {
    const revisions = engines.map((e) => e.cache.revision);
    const memo = this.all;
    if (
      memo &&
      memo.engines.length === engines.length &&
      memo.engines.every((e, i) => e === engines[i] && memo.revisions[i] === revisions[i])
    )
      return memo.list;
    const list = ([] as NodeContainer<Engine>[]).concat(...engines.map((e) => this.of(e).list));
    this.all = { engines, revisions, list };
    return list;
  }

  /** Builds (or reuses) one engine's list now; lookups then find it ready. */
  warm(e: Engine): void {
    this.of(e);
  }

  private of(node: Engine): EngineContainers {
    const memo = this.perEngine.get(node);
    if (memo && memo.revision === node.cache.revision) return memo;
    const list = node.cache.containers().map((container) => ({ node, container }));
    const fresh = { revision: node.cache.revision, list };
    this.perEngine.set(node, fresh);
    return fresh;
  }
}
