import type { ApiCluster, ApiNode } from './cluster-port.js';
import { fanout, getIfExists } from './fanout.js';
import { healthyNodes, nodePrefixed } from './refs.js';

const BUILTIN_MODES = new Set(['', 'default', 'bridge', 'host', 'none']);

interface CreateBodyNetworks {
  Env?: unknown;
  HostConfig?: { NetworkMode?: string; [k: string]: unknown } | null;
  NetworkingConfig?: { EndpointsConfig?: Record<string, unknown> | null; [k: string]: unknown } | null;
  [k: string]: unknown;
}

/** The user-defined networks a create body joins: `NetworkMode` and the `EndpointsConfig` keys. */
export function joinedNetworks(body: CreateBodyNetworks): string[] {
  const out = new Set<string>();
  const mode = body.HostConfig?.NetworkMode ?? '';
  if (!BUILTIN_MODES.has(mode) && !mode.startsWith('container:')) out.add(mode);
  for (const k of Object.keys(body.NetworkingConfig?.EndpointsConfig ?? {})) {
    if (!BUILTIN_MODES.has(k)) out.add(k);
  }
  return [...out];
}

/** Rewrites network `from` to `to` in `NetworkMode` and the `EndpointsConfig` keys. */
function renameNetwork(body: CreateBodyNetworks, from: string, to: string): void {
  if (body.HostConfig?.NetworkMode === from) body.HostConfig.NetworkMode = to;
  const eps = body.NetworkingConfig?.EndpointsConfig;
  if (eps && Object.hasOwn(eps, from)) {
    eps[to] = eps[from];
    delete eps[from];
  }
}

function addConstraint(body: CreateBodyNetworks, nodes: readonly string[]): void {
  const env = Array.isArray(body.Env) ? [...(body.Env as string[])] : [];
  const value =
    nodes.length === 1
      ? nodes[0]
      : `/^(${nodes.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$/`;
  env.push(`constraint:node==${value}`);
  body.Env = env;
}

/**
 * Keeps a container with its node-local networks, as Swarm did: a `node/network` reference (`--net node-1/web`)
 * pins the container to that node and becomes the plain network name; a plain name of a local-scope network (a
 * bridge made by `docker network create` or docker-compose) pins it to the nodes that hold such a network. Global
 * (overlay) networks pin nothing. The pin is an ordinary `constraint:node==…` entry, so the scheduler explains
 * a refusal the usual way. Changes `body` in place.
 */
export async function pinToNetworkNodes(cluster: ApiCluster, body: CreateBodyNetworks): Promise<void> {
  const nets = joinedNetworks(body);
  if (nets.length === 0) return;
  const nodes = healthyNodes(cluster);
  for (const ref of nets) {
    const { node, name } = nodePrefixed(cluster, ref);
    if (node) {
      renameNetwork(body, ref, name);
      addConstraint(body, [node.name]);
      continue;
    }
    const answers = await fanout(nodes, (n: ApiNode) =>
      getIfExists<{ Scope?: string }>(n, `/networks/${encodeURIComponent(ref)}`),
    );
    const hits = answers.filter((a) => a.value !== undefined);
    if (hits.length === 0 || hits.some((h) => h.value?.Scope !== 'local')) continue;
    addConstraint(
      body,
      hits.map((h) => h.node.name),
    );
  }
}
