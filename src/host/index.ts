/**
 * Processes on this machine: the namespaces of shoal hosts, finding and ending processes, detached daemons (each
 * host's dockerd, etcd members, the registry mirror), preflight checks, kernel object names and atomic file writes.
 * Used by the netns driver, `kv/` and `up/`; it imports nothing above `util/`.
 */
export { writeFileAtomic } from './atomic-write.js';
export {
  type DaemonIdentity,
  type DaemonLaunch,
  DetachedDaemon,
  type NotReadyReason,
  type ReadyOptions,
  type StopOptions,
  type StopResult,
} from './detached-daemon.js';
export { DaemonStartError, HostCommandError } from './errors.js';
export { formatIpv4, ipv4Hex, parseIpv4 } from './ipv4.js';
export {
  bridgeName,
  isValidLinkName,
  isValidPrefix,
  MAX_PREFIX_LENGTH,
  netnsName,
  peerTempName,
  vethName,
} from './names.js';
export {
  createNamespaces,
  destroyNamespaces,
  type NamespacePaths,
  NETNS_DIR,
  NS_ROOT,
  namespaceOwner,
  namespacePaths,
  namespacesExist,
  netnsInode,
  nsenterArgv,
} from './namespaces.js';
export { isRoot, missingBinaries, which } from './preflight.js';
export {
  isAlive,
  killProcesses,
  namespaceProcesses,
  processArgv,
  processTrees,
  signal,
  waitGone,
} from './processes.js';
export { type ExecResult, type RunOptions, run } from './run.js';
