export { freePort } from '../util/free-port.js';
export { KvMemberStartError, KvSpecError, KvUnavailableError } from './errors.js';
export {
  createKvCluster,
  KvCluster,
  type KvClusterSpec,
  type KvMemberHealth,
  type KvMemberSpec,
  type KvTls,
  loadKvCluster,
} from './kv-cluster.js';
export { type LocalEtcd, startLocalEtcd } from './local-etcd.js';
export { type MemberLaunch, memberArgv } from './member-process.js';
