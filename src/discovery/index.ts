import { discoveryFactory, splitDiscoveryUrl } from './registry.js';
import type { Discovery, DiscoveryOptions } from './types.js';

export {
  Candidate,
  type CandidateEvents,
  createLeaderElection,
  DEFAULT_REPLICATION_TTL_MS,
  Follower,
  type FollowerEvents,
  type LeaderElection,
} from './election/index.js';
export {
  MEMBERSHIP_PATH,
  MembershipRegistry,
  type MembershipRegistryOptions,
  ShoalDiscovery,
} from './embedded/index.js';
export * from './errors.js';
export { EtcdDiscovery } from './etcd.js';
export {
  createEtcdClient,
  DEFAULT_KV_PATH,
  type EtcdCallObserver,
  type EtcdTarget,
  LEADER_PATH,
  parseEtcdTarget,
} from './etcd-client.js';
export { FileDiscovery } from './file.js';
export {
  collect,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_TTL_MS,
  parseAdvertise,
  parseDelay,
  parseDiscoveryOpts,
  parseHeartbeat,
  parseListTimeout,
  parseTtl,
  resolveDiscoveryUrl,
} from './flags.js';
export { NodesDiscovery } from './nodes.js';
export { expandRange, parseEntryLines, parseEntryList, validateHostPort } from './ranges.js';
export { discoveryFactories, splitDiscoveryUrl } from './registry.js';
export type { Discovery, DiscoveryOptions } from './types.js';

/**
 * Builds the discovery backend for a URL (`nodes://`, bare list, `file://`, `etcd://`, `shoal://`).
 * @throws UnknownDiscoverySchemeError, DiscoveryNotAvailableError (consul/token/zk), InvalidDiscoveryError.
 */
export function createDiscovery(uri: string, opts: DiscoveryOptions): Discovery {
  const { scheme, rest } = splitDiscoveryUrl(uri);
  return discoveryFactory(scheme)(rest, opts);
}
