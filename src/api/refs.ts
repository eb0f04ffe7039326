/**
 * How a route turns the references in its path into a node or a container: the path split into reference and
 * action, container lookup (Swarm's rules live in `src/scheduler/lookup.ts`), `node/name` prefixes, and the
 * healthy engine to send a call to.
 */
import {
  ContainerOnUnhealthyNodeError,
  NoSuchContainerError,
  SwarmNoSuchContainerError,
  UnhealthyNodeError,
} from '../cluster/errors.js';
import type { EngineClient } from '../engine/index.js';
import { InvalidArgumentError } from '../util/errors.js';
import type { ApiCluster, ApiContainer, ApiNode } from './cluster-port.js';

/**
 * Splits the rest of a wildcard path (`node-1/web/json`) into a reference and a trailing action, when the last
 * segment is one of `actions`. References may contain one `/` (`node/name`), so routes take the rest as a wildcard.
 * `rest` is already percent-decoded (the router decodes path parameters once; decoding again would misread a `%`).
 */
export function splitRef(rest: string, actions: ReadonlySet<string>): { ref: string; action: string } {
  const trimmed = rest.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  if (slash > 0) {
    const last = trimmed.slice(slash + 1);
    if (actions.has(last)) {
      const ref = trimmed.slice(0, slash);
      // `attach/ws` is the one two-segment action
      if (last === 'ws' && ref.endsWith('/attach'))
        return { ref: ref.slice(0, -'/attach'.length), action: 'attach/ws' };
      return { ref, action: last };
    }
  }
  return { ref: trimmed, action: '' };
}

/**
 * Percent-decodes a reference taken from a raw request path (upgrade requests, which bypass the router).
 * @throws InvalidArgumentError (400) for a malformed escape such as `%zz`, as the Engine's URL parser refuses it.
 */
export function decodePathRef(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch (err) {
    throw new InvalidArgumentError(`invalid URL escape in "${raw}"`, { cause: err });
  }
}

/**
 * Resolves a container reference (already decoded) or throws a 404: the Engine's `No such container: REF`, or
 * with `wording` one of classic Swarm's ({@link SwarmNoSuchContainerError}) for the routes where Swarm said its own.
 */
export function requireContainer(
  cluster: ApiCluster,
  ref: string,
  wording?: 'lookup' | 'remove',
): ApiContainer {
  const c = cluster.container(ref);
  if (!c) throw wording ? new SwarmNoSuchContainerError(ref, wording) : new NoSuchContainerError(ref);
  return c;
}

/** The engine client of a node, refusing nodes that are not healthy (Swarm answers 500). */
export function healthyClient(node: ApiNode): EngineClient {
  if (node.state !== 'healthy') throw new UnhealthyNodeError(node.name || node.addr);
  return node.client;
}

/** The engine client of a container's node; Swarm's `Container X running on unhealthy node Y` (500) otherwise. */
export function containerClient(c: ApiContainer): EngineClient {
  if (c.node.state !== 'healthy') {
    const name = c.summary.Names[0]?.replace(/^\//, '') ?? c.id;
    throw new ContainerOnUnhealthyNodeError(name, c.node.name || c.node.addr);
  }
  return c.node.client;
}

/** The healthy nodes, sorted by name (fan-out targets). */
export function healthyNodes(cluster: ApiCluster): ApiNode[] {
  return cluster
    .nodes()
    .filter((n) => n.state === 'healthy')
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The healthy nodes `want` names (by name or ID); all of them when `want` is undefined (no `node` filter). */
export function healthyNodesNamed(cluster: ApiCluster, want: readonly string[] | undefined): ApiNode[] {
  const nodes = healthyNodes(cluster);
  return want ? nodes.filter((n) => want.includes(n.name) || want.includes(n.id)) : nodes;
}

/**
 * Splits `node/name` when the prefix names a known node; otherwise the whole text is the name (names of images and
 * networks may contain `/` of their own).
 */
export function nodePrefixed(cluster: ApiCluster, ref: string): { node?: ApiNode; name: string } {
  const slash = ref.indexOf('/');
  if (slash > 0) {
    const prefix = ref.slice(0, slash);
    const node = cluster.nodes().find((x) => x.name === prefix || x.id === prefix);
    if (node) return { node, name: ref.slice(slash + 1) };
  }
  return { name: ref };
}

/** {@link nodePrefixed} with the node as its name, for filter values (`network=node-1/web`). */
export function nodeSplitter(cluster: ApiCluster): (ref: string) => { node?: string; name: string } {
  return (ref) => {
    const { node, name } = nodePrefixed(cluster, ref);
    return node ? { node: node.name, name } : { name };
  };
}

/**
 * Refuses a `node/name` whose prefix is no known node, as Swarm did by scheduling with `node==<prefix>`: the
 * scheduler's "Unable to find a node that satisfies the following conditions" (500). Names without `/` pass.
 */
export async function requireKnownPrefix(cluster: ApiCluster, name: string): Promise<void> {
  const slash = name.indexOf('/');
  if (slash <= 0) return;
  await cluster.place([`node==${name.slice(0, slash)}`], async () => undefined);
}
