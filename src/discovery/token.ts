import { DiscoveryNotAvailableError } from './errors.js';
import type { Discovery } from './types.js';

/**
 * `token://` relied on Docker Hub's hosted discovery service, which was shut down in 2019; it cannot work offline
 * and shoal does not fake it.
 * @throws DiscoveryNotAvailableError always, naming the alternatives.
 */
export function tokenDiscovery(): Discovery {
  throw new DiscoveryNotAvailableError(
    "token:// is not available: it used Docker Hub's hosted discovery service, which was shut down in 2019; " +
      'use shoal://MANAGER:PORT (registration with the manager, no KV needed), etcd://HOST:2379, ' +
      'file:///path or nodes://HOST:PORT,...',
  );
}
