import type { ContainerSnapshot, NodeSnapshot } from './types.js';

/** The label carrying the swarm ID Swarm gives every container it creates. */
export const SWARM_ID_LABEL = 'com.docker.swarm.id';

/**
 * Finds a container on one node by reference, with Swarm's lookup order
 * (docs/behaviour/lookup.md#containers): exact or 12-char short ID → exact or short swarm ID → unique name
 * (`name`, `/name`, `<nodeID>/name`, `<nodeName>/name`) → unique ID prefix → unique swarm-ID prefix.
 * Ambiguous names or prefixes find nothing.
 */
export function findContainer(node: NodeSnapshot, ref: string): ContainerSnapshot | undefined {
  if (ref === '') return undefined;
  const cs = node.containers;
  for (const c of cs) if (c.id === ref || c.id.slice(0, 12) === ref) return c;
  for (const c of cs) {
    const sid = c.labels[SWARM_ID_LABEL];
    if (sid !== undefined && (sid === ref || sid.slice(0, 12) === ref)) return c;
  }
  const bare = ref.startsWith('/') ? ref.slice(1) : ref;
  let named: ContainerSnapshot | undefined;
  let count = 0;
  for (const c of cs) {
    for (const n of c.names) {
      if (n === bare || `${node.id}/${n}` === ref || `${node.name}/${n}` === ref) {
        named = c;
        count++;
        break;
      }
    }
  }
  if (count === 1) return named;
  if (count > 1) return undefined;
  return uniquePrefix(cs, ref, (c) => c.id) ?? uniquePrefix(cs, ref, (c) => c.labels[SWARM_ID_LABEL]);
}

function uniquePrefix(
  cs: readonly ContainerSnapshot[],
  prefix: string,
  key: (c: ContainerSnapshot) => string | undefined,
): ContainerSnapshot | undefined {
  let found: ContainerSnapshot | undefined;
  for (const c of cs) {
    const k = key(c);
    if (k?.startsWith(prefix)) {
      if (found) return undefined;
      found = c;
    }
  }
  return found;
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
