import { DiscoveryNotAvailableError } from './errors.js';
import type { Discovery } from './types.js';

/**
 * `zk://` (ZooKeeper) is not provided: shoal's KV store is etcd.
 * @throws DiscoveryNotAvailableError always, naming `etcd://`.
 */
export function zkDiscovery(): Discovery {
  throw new DiscoveryNotAvailableError(
    "zk:// is not available: shoal's KV store is etcd; use etcd://HOST:2379 (or shoal://MANAGER:PORT, which needs no KV)",
  );
}
