import { consulDiscovery } from './consul.js';
import { ShoalDiscovery } from './embedded/shoal-discovery.js';
import { UnknownDiscoverySchemeError } from './errors.js';
import { EtcdDiscovery } from './etcd.js';
import { FileDiscovery } from './file.js';
import { NodesDiscovery } from './nodes.js';
import { tokenDiscovery } from './token.js';
import type { DiscoveryFactory } from './types.js';
import { zkDiscovery } from './zk.js';

/**
 * Discovery backends by URL scheme. `consul`, `token` and `zk` are listed so their URLs get a precise refusal
 * instead of "unknown scheme".
 */
export const discoveryFactories: Readonly<Record<string, DiscoveryFactory>> = {
  nodes: (rest) => new NodesDiscovery(rest),
  file: (rest, opts) => new FileDiscovery(rest, opts.heartbeatMs),
  etcd: (rest, opts) => new EtcdDiscovery(rest, opts),
  shoal: (rest, opts) => new ShoalDiscovery(rest, opts),
  consul: (rest) => consulDiscovery(rest),
  token: () => tokenDiscovery(),
  zk: () => zkDiscovery(),
};

/** Splits a discovery URL into scheme and rest; text without `://` is a bare `nodes` list. */
export function splitDiscoveryUrl(uri: string): { scheme: string; rest: string } {
  const i = uri.indexOf('://');
  if (i < 0) return { scheme: 'nodes', rest: uri };
  return { scheme: uri.slice(0, i).toLowerCase(), rest: uri.slice(i + 3) };
}

/**
 * Looks up the factory for a scheme.
 * @throws UnknownDiscoverySchemeError listing the valid schemes.
 */
export function discoveryFactory(scheme: string): DiscoveryFactory {
  const f = discoveryFactories[scheme];
  if (!f) throw new UnknownDiscoverySchemeError(scheme, Object.keys(discoveryFactories));
  return f;
}
