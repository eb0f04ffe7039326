import type { Etcd3 } from 'etcd3';
import { InvalidArgumentError } from '../../util/errors.js';
import {
  createEtcdClient,
  type EtcdCallObserver,
  etcdKey,
  LEADER_PATH,
  parseEtcdTarget,
} from '../etcd-client.js';
import { splitDiscoveryUrl } from '../registry.js';
import { Candidate } from './candidate.js';
import { Follower } from './follower.js';

/** Classic Swarm's `--replication-ttl` was 20 s; shoal defaults to 3 s so failover stays under 5 s (≤ TTL + RTT). */
export const DEFAULT_REPLICATION_TTL_MS = 3000;

/** Leader election for one discovery URL: makes candidates and followers over one shared etcd client. */
export interface LeaderElection {
  /** The leader key (`<prefix>/docker/swarm/leader`). */
  readonly key: string;
  /** A candidate campaigning with `advertise` as its value. Call `start()` after attaching listeners. */
  candidate(advertise: string): Candidate;
  /** A follower of the leader key. Call `start()` after attaching listeners. */
  follower(): Follower;
  /** Closes the etcd client; close candidates and followers first. */
  close(): Promise<void>;
}

/**
 * Builds leader election for `--replication` from the manager's discovery URL (only `etcd://`), with the lease TTL
 * `ttlMs` (`--replication-ttl`) and the `kv.*` TLS options.
 * @throws InvalidArgumentError "Leader Election is only supported with etcd discovery" for any other scheme.
 */
export function createLeaderElection(
  uri: string,
  opts: {
    ttlMs: number;
    options?: Readonly<Record<string, string>>;
    retryMs?: number;
    /** Sees every etcd call (metrics). */
    etcdObserver?: EtcdCallObserver;
  },
): LeaderElection {
  const { scheme, rest } = splitDiscoveryUrl(uri);
  if (scheme !== 'etcd') {
    throw new InvalidArgumentError(
      'Leader Election is only supported with etcd discovery (etcd://HOST:PORT)',
    );
  }
  if (!(opts.ttlMs > 0)) throw new InvalidArgumentError('--replication-ttl must be a positive duration');
  const target = parseEtcdTarget(rest, opts.options ?? {});
  const key = etcdKey(target, LEADER_PATH);
  let client: Etcd3 | undefined;
  const etcd = (): Etcd3 => {
    client ??= createEtcdClient(target, opts.etcdObserver);
    return client;
  };
  const retry = opts.retryMs === undefined ? {} : { retryMs: opts.retryMs };
  return {
    key,
    candidate: (advertise) => new Candidate(etcd(), key, advertise, { ttlMs: opts.ttlMs, ...retry }),
    follower: () => new Follower(etcd(), key, { ...retry, pollMs: Math.max(1000, opts.ttlMs) }),
    close: async () => client?.close(),
  };
}
