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

/** One engine's containers with its engine, and its primary-name index, at one cache revision. */
interface EngineContainers {
  readonly revision: number;
  readonly list: NodeContainer<Engine>[];
  readonly names: Map<string, NodeContainer<Engine>>;
}

/**
 * Containers across engines for lookups: the flat list of every engine's containers and a per-engine index of
 * primary names, each rebuilt only when that engine's container list changed ({@link EngineCache.revision}).
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

  /** The container holding the primary name `/name` on the first engine (in order) that has one. */
  nameHolder(engines: readonly Engine[], name: string): NodeContainer<Engine> | undefined {
    const wanted = `/${name.replace(/^\//, '')}`;
    for (const e of engines) {
      const hit = this.of(e).names.get(wanted);
      if (hit) return hit;
    }
    return undefined;
  }

  /** Builds (or reuses) one engine's list and name index now; lookups then find it ready. */
  warm(e: Engine): void {
    this.of(e);
  }

  private of(node: Engine): EngineContainers {
    const memo = this.perEngine.get(node);
    if (memo && memo.revision === node.cache.revision) return memo;
    const list = node.cache.containers().map((container) => ({ node, container }));
    const names = new Map<string, NodeContainer<Engine>>();
    for (const entry of list) {
      const c = entry.container;
      for (const n of containerNames(c)) {
        const key = n.startsWith('/') ? n : `/${n}`;
        if (!names.has(key)) names.set(key, entry);
      }
    }
    const fresh = { revision: node.cache.revision, list, names };
    this.perEngine.set(node, fresh);
    return fresh;
  }
}
