import { containerNames, type NodeContainer } from './container-index.js';
import type { CachedContainer } from './engine-cache.js';

/** Finds the cached container holding a name, cluster-wide (the placement's name check). */
export interface NameLookup<N = unknown> {
  /**
   * A container whose names include `/name` (a leading `/` on `name` is ignored) on an engine `candidate` accepts,
   * or undefined. When several engines hold the name, the one recorded first wins.
   */
  holder(name: string, candidate: (node: N) => boolean): NodeContainer<N> | undefined;
}

/** The key a name is filed under: always with one leading `/`, as engines list names. */
function key(name: string): string {
  return name.startsWith('/') ? name : `/${name}`;
}

function file<N>(map: Map<string, NodeContainer<N>[]>, k: string, entry: NodeContainer<N>): void {
  const list = map.get(k);
  if (list) list.push(entry);
  else map.set(k, [entry]);
}

/**
 * Every cached container's full ID and names across all engines, kept up to date by the engines' caches as they
 * change ({@link record} for each container added, re-read or dropped, {@link dropNode} for an engine that left), so
 * the cluster-wide name check of a create and the lookup of a full ID are one map lookup each instead of a scan of
 * every engine. A container is filed under each of its names (`/web`, and link aliases such as `/app/db`), as the
 * engine lists them.
 */
export class ContainerDirectory<N> implements NameLookup<N> {
  /** Holders by name, in the order they were recorded (usually one). */
  readonly #byName = new Map<string, NodeContainer<N>[]>();
  /** Holders by full ID (more than one only when engines report the same ID). */
  readonly #byId = new Map<string, NodeContainer<N>[]>();
  /** Each node's recorded containers by ID, with the names they were filed under. */
  readonly #byNode = new Map<N, Map<string, { entry: NodeContainer<N>; names: readonly string[] }>>();

  /**
   * Records that container `id` on `node` now is `container` (undefined: it is gone). Names it no longer has are
   * unfiled; a rename is a re-read with other names.
   */
  record(node: N, id: string, container: CachedContainer | undefined): void {
    let held = this.#byNode.get(node);
    const old = held?.get(id);
    if (old) {
      this.#unfile(this.#byId, id, old.entry);
      for (const n of old.names) this.#unfile(this.#byName, n, old.entry);
      held!.delete(id);
    }
    if (!container) {
      if (held?.size === 0) this.#byNode.delete(node);
      return;
    }
    if (!held) {
      held = new Map();
      this.#byNode.set(node, held);
    }
    const entry: NodeContainer<N> = { node, container };
    const names = [...new Set(containerNames(container).map(key))];
    for (const n of names) file(this.#byName, n, entry);
    file(this.#byId, id, entry);
    held.set(id, { entry, names });
  }

  /** Forgets every container of `node` (removed from discovery, or the cluster closed). */
  dropNode(node: N): void {
    const held = this.#byNode.get(node);
    if (!held) return;
    for (const [id, { entry, names }] of held) {
      this.#unfile(this.#byId, id, entry);
      for (const n of names) this.#unfile(this.#byName, n, entry);
    }
    this.#byNode.delete(node);
  }

  holder(name: string, candidate: (node: N) => boolean): NodeContainer<N> | undefined {
    const bare = name.replace(/^\//, '');
    if (bare === '') return undefined;
    const list = this.#byName.get(`/${bare}`);
    if (!list) return undefined;
    for (const e of list) if (candidate(e.node)) return e;
    return undefined;
  }

  /** The container with this full ID on an engine `candidate` accepts (the first recorded when several). */
  byId(id: string, candidate: (node: N) => boolean): NodeContainer<N> | undefined {
    const list = this.#byId.get(id);
    if (!list) return undefined;
    for (const e of list) if (candidate(e.node)) return e;
    return undefined;
  }

  /** How many names and IDs are filed (for tests). */
  get size(): { names: number; ids: number } {
    return { names: this.#byName.size, ids: this.#byId.size };
  }

  #unfile(map: Map<string, NodeContainer<N>[]>, k: string, entry: NodeContainer<N>): void {
    const list = map.get(k);
    if (!list) return;
    const i = list.indexOf(entry);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) map.delete(k);
  }
}
