/**
 * Classic Swarm's lookup rules (docs/behaviour/lookup.md), written once over plain data: how a reference finds a container, a network,
 * a volume or an image among many nodes. Used by the cluster (its cached containers), the API (networks and volumes
 * answered by the engines) and the dependency filter (one node's containers). Pure: no I/O.
 *
 * The rule for an ambiguous name is the same everywhere: a name that matches more than one distinct object finds
 * nothing (the caller answers 404), and `<node>/<name>` picks one.
 */

/** The label carrying the swarm ID Swarm gives every container it creates. */
export const SWARM_ID_LABEL = 'com.docker.swarm.id';

/** The node fields lookups read. */
export interface LookupNode {
  readonly id: string;
  readonly name: string;
}

/**
 * How {@link findContainer} reads one entry (accessors rather than a copied shape, so a lookup over tens of
 * thousands of cached containers allocates nothing per entry).
 */
export interface ContainerKeys<T> {
  /** Full engine container ID. */
  id(entry: T): string;
  /** The `com.docker.swarm.id` label, or undefined. */
  swarmId(entry: T): string | undefined;
  /** Names, with or without the leading `/` (link aliases may be included: `/app/db`). */
  names(entry: T): readonly string[];
  /** The node holding the container. */
  node(entry: T): LookupNode;
}

function bare(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name;
}

function namedBy<T>(entry: T, ref: string, bareRef: string, keys: ContainerKeys<T>): boolean {
  for (const raw of keys.names(entry)) {
    const n = bare(raw);
    if (n === bareRef) return true;
    if (ref.endsWith(`/${n}`)) {
      const node = keys.node(entry);
      const prefix = ref.slice(0, ref.length - n.length - 1);
      if (prefix === node.id || prefix === node.name) return true;
    }
  }
  return false;
}

/**
 * Finds a container by reference, in Swarm's order: exact ID or 12-char short ID → exact swarm ID (or its short
 * form) → a name equal to `name`, `/name`, `<nodeID>/name` or `<nodeName>/name`, only when exactly one container
 * has it → unique ID prefix → unique swarm-ID prefix. Undefined when nothing, or nothing unique, matches; the first
 * entry wins among equal IDs (the same container listed twice).
 */
export function findContainer<T>(all: Iterable<T>, ref: string, keys: ContainerKeys<T>): T | undefined {
  if (ref === '') return undefined;
  const bareRef = bare(ref);
  let bySwarmId: T | undefined;
  let byName: T | undefined;
  let names = 0;
  let byPrefix: T | undefined;
  let prefixes = 0;
  let bySwarmPrefix: T | undefined;
  let swarmPrefixes = 0;
  for (const e of all) {
    const id = keys.id(e);
    if (id === ref || (ref.length === 12 && id.startsWith(ref))) return e;
    const sid = keys.swarmId(e);
    if (sid) {
      if (bySwarmId === undefined && (sid === ref || (ref.length === 12 && sid.startsWith(ref))))
        bySwarmId = e;
      if (sid.startsWith(ref)) {
        swarmPrefixes++;
        bySwarmPrefix = e;
      }
    }
    if (bySwarmId !== undefined) continue;
    if (namedBy(e, ref, bareRef, keys)) {
      names++;
      byName = e;
    }
    if (id.startsWith(ref)) {
      prefixes++;
      byPrefix = e;
    }
  }
  if (bySwarmId !== undefined) return bySwarmId;
  if (names > 0) return names === 1 ? byName : undefined;
  if (prefixes === 1) return byPrefix;
  return swarmPrefixes === 1 ? bySwarmPrefix : undefined;
}

/** A network together with the node it was found on. */
export interface NodeNetwork<N extends LookupNode = LookupNode, Net extends NetworkKeys = NetworkKeys> {
  readonly node: N;
  readonly network: Net;
}

/** The network fields lookups read. */
export interface NetworkKeys {
  readonly Id: string;
  readonly Name: string;
}

/**
 * Finds a network (Swarm's rules): exact ID or 12-char short ID → name or `<node>/<name>` → unique ID prefix. A
 * global network seen on several nodes (one ID) counts once; a name or prefix matching networks with different IDs
 * (local networks of the same name on several nodes) is ambiguous and finds nothing.
 */
export function findNetwork<E extends NodeNetwork>(all: readonly E[], ref: string): E | undefined {
  if (ref === '') return undefined;
  const byId = all.find((e) => e.network.Id === ref || (ref.length === 12 && e.network.Id.startsWith(ref)));
  if (byId) return byId;
  const byName = all.filter((e) => e.network.Name === ref || `${e.node.name}/${e.network.Name}` === ref);
  if (byName.length > 0) return distinct(byName);
  return distinct(all.filter((e) => e.network.Id.startsWith(ref)));
}

function distinct<E extends NodeNetwork>(hits: readonly E[]): E | undefined {
  const first = hits[0];
  return first && hits.every((h) => h.network.Id === first.network.Id) ? first : undefined;
}

/** A volume together with the node holding it. */
export interface NodeVolume<
  N extends LookupNode = LookupNode,
  V extends { Name: string } = { Name: string },
> {
  readonly node: N;
  readonly volume: V;
}

/**
 * Every volume a reference names: `<node>/<name>` is that node's volume; a plain name is the same-named volume on
 * every node holding one (Swarm creates a plain-named volume on every node, so they are one volume to the user:
 * inspect shows the first, remove removes all).
 */
export function findVolumes<E extends NodeVolume>(all: readonly E[], ref: string): E[] {
  if (ref === '') return [];
  return all.filter((e) => e.volume.Name === ref || `${e.node.name}/${e.volume.Name}` === ref);
}

/**
 * Repository part of an image reference: `busybox:latest` → `busybox`, `localhost:5000/a/b:1` →
 * `localhost:5000/a/b`, `x@sha256:...` → `x`. A registry port is not mistaken for a tag.
 */
export function repositoryOf(ref: string): string {
  const at = ref.indexOf('@');
  const noDigest = at >= 0 ? ref.slice(0, at) : ref;
  const colon = noDigest.lastIndexOf(':');
  if (colon < 0 || noDigest.indexOf('/', colon) >= 0) return noDigest;
  return noDigest.slice(0, colon);
}

/** Normalises an image reference for tag comparison: adds `:latest` when no tag or digest is given. */
export function normalizeImageRef(ref: string): string {
  if (ref.includes('@')) return ref;
  const slash = ref.lastIndexOf('/');
  return ref.slice(slash + 1).includes(':') ? ref : `${ref}:latest`;
}

function stripRegistry(ref: string): string {
  return ref
    .replace(/^docker\.io\/library\//, '')
    .replace(/^docker\.io\//, '')
    .replace(/^library\//, '');
}

/** The image fields {@link imageMatches} reads (the Engine API's image summary). */
export interface ImageKeys {
  readonly Id: string;
  readonly RepoTags?: readonly string[] | null;
  readonly RepoDigests?: readonly string[] | null;
}

/**
 * True when `image` matches `ref`: full or prefix ID (with or without `sha256:`), `repo:tag` (no tag means
 * `latest`; `docker.io/library/` is ignored), or a repo digest.
 */
export function imageMatches(image: ImageKeys, ref: string): boolean {
  if (!ref) return false;
  const id = image.Id.replace(/^sha256:/, '');
  const r = ref.replace(/^sha256:/, '');
  if (/^[0-9a-f]+$/.test(r) && id.startsWith(r)) return true;
  const wanted = stripRegistry(normalizeImageRef(ref));
  if ((image.RepoTags ?? []).some((t) => stripRegistry(t) === wanted)) return true;
  return (image.RepoDigests ?? []).some((d) => stripRegistry(d) === stripRegistry(ref));
}
