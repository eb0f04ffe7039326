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

/**
 * The holders filed under one key: almost always one, so a single entry is stored as itself and only a key held on
 * several engines gets an array. That spares two arrays per container (300,000 objects at 150,000 containers) for
 * the garbage collector to walk.
 */
type Slot<N> = NodeContainer<N> | NodeContainer<N>[];

function isMany<N>(slot: Slot<N>): slot is NodeContainer<N>[] {
  return Array.isArray(slot);
}

function file<N>(map: Map<string, Slot<N>>, k: string, entry: NodeContainer<N>): void {
  const slot = map.get(k);
  if (slot === undefined) map.set(k, entry);
  else if (isMany(slot)) slot.push(entry);
  else map.set(k, [slot, entry]);
}

function unfile<N>(map: Map<string, Slot<N>>, k: string, entry: NodeContainer<N>): void {
  const slot = map.get(k);
  if (slot === undefined) return;
  if (!isMany(slot)) {
    if (slot === entry) map.delete(k);
    return;
  }
  const i = slot.indexOf(entry);
  if (i >= 0) slot.splice(i, 1);
  if (slot.length === 1) map.set(k, slot[0]!);
  else if (slot.length === 0) map.delete(k);
}

/** Puts `now` where `old` was filed under `k`, keeping its place among several holders. */
function refile<N>(map: Map<string, Slot<N>>, k: string, old: NodeContainer<N>, now: NodeContainer<N>): void {
  const slot = map.get(k);
  if (slot === old) map.set(k, now);
  else if (slot !== undefined && isMany(slot)) {
    const i = slot.indexOf(old);
    if (i >= 0) slot[i] = now;
  }
}

function first<N>(slot: Slot<N> | undefined, candidate: (node: N) => boolean): NodeContainer<N> | undefined {
  if (slot === undefined) return undefined;
  if (!isMany(slot)) return candidate(slot.node) ? slot : undefined;
  for (const e of slot) if (candidate(e.node)) return e;
  return undefined;
}

/** The keys a container is filed under: each name once, with its leading `/`. */
function namesOf(container: CachedContainer): readonly string[] {
  const names = containerNames(container);
  if (names.length === 1) return [key(names[0]!)];
  return [...new Set(names.map(key))];
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/** One container as a node's list of it keeps it: its filed entry and the names it is filed under. */
interface Filed<N> {
  entry: NodeContainer<N>;
  readonly names: readonly string[];
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
  readonly #byName = new Map<string, Slot<N>>();
  /** Holders by full ID (more than one only when engines report the same ID). */
  readonly #byId = new Map<string, Slot<N>>();
  /** Each node's recorded containers by ID, with the names they were filed under. */
  readonly #byNode = new Map<N, Map<string, Filed<N>>>();

  /**
   * Records that container `id` on `node` now is `container` (undefined: it is gone). Names it no longer has are
   * unfiled; a rename is a re-read with other names.
   */
  record(node: N, id: string, container: CachedContainer | undefined): void {
    let held = this.#byNode.get(node);
    const old = held?.get(id);
    const names = container ? namesOf(container) : [];
    if (old && container) {
      if (sameNames(old.names, names)) {
        // a re-read under the same names (the usual case): the new entry takes the old one's places
        const entry: NodeContainer<N> = { node, container };
        refile(this.#byId, id, old.entry, entry);
        for (const n of names) refile(this.#byName, n, old.entry, entry);
        old.entry = entry;
        return;
      }
    }
    if (old) {
      unfile(this.#byId, id, old.entry);
      for (const n of old.names) unfile(this.#byName, n, old.entry);
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
    for (const n of names) file(this.#byName, n, entry);
    file(this.#byId, id, entry);
    held.set(id, { entry, names });
  }

  /** Forgets every container of `node` (removed from discovery, or the cluster closed). */
  dropNode(node: N): void {
    const held = this.#byNode.get(node);
    if (!held) return;
    for (const [id, { entry, names }] of held) {
      unfile(this.#byId, id, entry);
      for (const n of names) unfile(this.#byName, n, entry);
    }
    this.#byNode.delete(node);
  }

  holder(name: string, candidate: (node: N) => boolean): NodeContainer<N> | undefined {
    const bare = name.replace(/^\//, '');
    if (bare === '') return undefined;
    return first(this.#byName.get(`/${bare}`), candidate);
  }

  /** The container with this full ID on an engine `candidate` accepts (the first recorded when several). */
  byId(id: string, candidate: (node: N) => boolean): NodeContainer<N> | undefined {
    return first(this.#byId.get(id), candidate);
  }

  /** How many names and IDs are filed (for tests). */
  get size(): { names: number; ids: number } {
    return { names: this.#byName.size, ids: this.#byId.size };
  }
}
