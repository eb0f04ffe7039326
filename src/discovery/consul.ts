import { DiscoveryNotAvailableError } from './errors.js';
import type { Discovery } from './types.js';

/**
 * `consul://` is refused with a clear pointer to `etcd://`: shoal's KV store is etcd (the engines here have no
 * Consul backend either), and silently backing a Consul URL with etcd would mislead anyone reading the script.
 * @throws DiscoveryNotAvailableError always.
 */
export function consulDiscovery(rest: string): Discovery {
  const host = rest.split('/')[0] || 'HOST';
  const hostOnly = host.includes(':') ? host.slice(0, host.lastIndexOf(':')) : host;
  throw new DiscoveryNotAvailableError(
    `consul:// is not available: shoal's KV store is etcd; use etcd://${hostOnly}:2379 (or shoal://MANAGER:PORT, which needs no KV)`,
  );
}
