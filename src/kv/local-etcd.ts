import { join } from 'node:path';
import { freePort } from '../util/free-port.js';
import { createKvCluster, type KvCluster } from './kv-cluster.js';

/** A loopback etcd started by {@link startLocalEtcd}. */
export interface LocalEtcd {
  readonly cluster: KvCluster;
  /** `127.0.0.1:PORT` endpoints. */
  readonly endpoints: string[];
  /** Stops every member by PID and deletes the data. */
  remove(): Promise<void>;
}

/**
 * Starts an etcd cluster of `size` members on 127.0.0.1 with free ports and data under `dir` (for tests and local
 * single-machine use). A start that fails (a port taken between probe and bind) is retried once with new ports.
 */
export async function startLocalEtcd(dir: string, name = 'local', size = 1): Promise<LocalEtcd> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 2; attempt++) {
    const members = [];
    for (let i = 0; i < size; i++) {
      members.push({
        host: 'localhost',
        ip: '127.0.0.1',
        clientPort: await freePort(),
        peerPort: await freePort(),
      });
    }
    const cluster = createKvCluster({ name, members, dataDir: join(dir, `${name}-${attempt}`) });
    try {
      await cluster.start(60_000);
      return { cluster, endpoints: cluster.endpoints(), remove: () => cluster.remove() };
    } catch (err) {
      lastError = err;
      await cluster.remove();
    }
  }
  throw lastError;
}
