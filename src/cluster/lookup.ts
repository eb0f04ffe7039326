import type { CachedContainer } from './engine-cache.js';
import type { ImageSummary, NetworkResource, VolumeResource } from './engine-types.js';

/** Label carrying the cluster-wide container ID Swarm assigns at create. */
export const SWARM_ID_LABEL = 'com.docker.swarm.id';

/** The node fields lookups use. */
export interface LookupNode {
  readonly id: string;
  readonly name: string;
}

/** A container together with the node it lives on. */
export interface NodeContainer<N extends LookupNode = LookupNode> {
  readonly node: N;
  readonly container: CachedContainer;
}

function swarmId(c: CachedContainer): string {
  return c.info.Config?.Labels?.[SWARM_ID_LABEL] ?? c.summary.Labels?.[SWARM_ID_LABEL] ?? '';
}

function names(c: CachedContainer): string[] {
  const list = c.summary.Names?.length ? c.summary.Names : [c.info.Name];
  return list.map((n) => (n.startsWith('/') ? n : `/${n}`));
}

function unique<T>(list: T[]): T | undefined {
  return list.length === 1 ? list[0] : undefined;
}

/**
 * Classic Swarm's container lookup (docs/behaviour/lookup.md#containers), in order: exact ID or 12-char short
 * ID → exact swarm ID (or its short form) → a name equal to `name`, `/name`, `<nodeID>/name` or
 * `<nodeName>/name` (only when exactly one container matches) → unique ID prefix → unique swarm-ID prefix.
 * Returns undefined when nothing (or nothing unique) matches.
 */
export function findContainer<N extends LookupNode>(
  all: readonly NodeContainer<N>[],
  ref: string,
): NodeContainer<N> | undefined {
  if (!ref) return undefined;
  const byId = all.find((e) => e.container.info.Id === ref || e.container.info.Id.slice(0, 12) === ref);
  if (byId) return byId;
  const bySwarmId = all.find((e) => {
    const s = swarmId(e.container);
    return s !== '' && (s === ref || s.slice(0, 12) === ref);
  });
  if (bySwarmId) return bySwarmId;
  const byName = all.filter((e) =>
    names(e.container).some(
      (n) => n === ref || n === `/${ref}` || `${e.node.id}${n}` === ref || `${e.node.name}${n}` === ref,
    ),
  );
  if (byName.length > 0) return unique(byName);
  const byPrefix = unique(all.filter((e) => e.container.info.Id.startsWith(ref)));
  if (byPrefix) return byPrefix;
  return unique(
    all.filter((e) => {
      const s = swarmId(e.container);
      return s !== '' && s.startsWith(ref);
    }),
  );
}

/**
 * True when a container name is taken by any container on any node. `name` is given without leading `/`; a
 * container's primary name (`/name`) is compared, link aliases (`/a/b`) are not.
 */
export function nameTaken(all: readonly NodeContainer[], name: string): NodeContainer | undefined {
  const wanted = `/${name.replace(/^\//, '')}`;
  return all.find((e) => names(e.container).includes(wanted));
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

/**
 * True when `image` matches `ref`: full or prefix ID (with or without `sha256:`), `repo:tag` (no tag means
 * `latest`; `docker.io/library/` is ignored), or a repo digest.
 */
export function imageMatches(
  image: Pick<ImageSummary, 'Id' | 'RepoTags' | 'RepoDigests'>,
  ref: string,
): boolean {
  if (!ref) return false;
  const id = image.Id.replace(/^sha256:/, '');
  const r = ref.replace(/^sha256:/, '');
  if (/^[0-9a-f]+$/.test(r) && id.startsWith(r)) return true;
  const wanted = stripRegistry(normalizeImageRef(ref));
  if ((image.RepoTags ?? []).some((t) => stripRegistry(t) === wanted)) return true;
  return (image.RepoDigests ?? []).some((d) => stripRegistry(d) === stripRegistry(ref));
}

/** A network together with the node it was found on. */
export interface NodeNetwork<N extends LookupNode = LookupNode> {
  readonly node: N;
  readonly network: NetworkResource;
}

/**
 * Network lookup (docs/behaviour/lookup.md#networks): ID, short ID, name, `<node>/<name>`, unique ID prefix.
 * A global network found on several nodes counts once. When a plain name matches local networks on several
 * nodes, the first node's wins, as Swarm.
 */
export function findNetwork<N extends LookupNode>(
  all: readonly NodeNetwork<N>[],
  ref: string,
): NodeNetwork<N> | undefined {
  if (!ref) return undefined;
  const byId = all.find((e) => e.network.Id === ref || e.network.Id.slice(0, 12) === ref);
  if (byId) return byId;
  const byName = all.find((e) => e.network.Name === ref || `${e.node.name}/${e.network.Name}` === ref);
  if (byName) return byName;
  const ids = new Set(all.filter((e) => e.network.Id.startsWith(ref)).map((e) => e.network.Id));
  if (ids.size !== 1) return undefined;
  return all.find((e) => e.network.Id.startsWith(ref));
}

/** A volume together with its node. */
export interface NodeVolume<N extends LookupNode = LookupNode> {
  readonly node: N;
  readonly volume: VolumeResource;
}

/** Volume lookup: `<node>/<name>` or a plain name (the first node holding it). */
export function findVolume<N extends LookupNode>(
  all: readonly NodeVolume<N>[],
  ref: string,
): NodeVolume<N> | undefined {
  return all.find((e) => e.volume.Name === ref || `${e.node.name}/${e.volume.Name}` === ref);
}
