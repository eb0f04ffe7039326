export { clusterDown } from './down.js';
export { NoUpClusterError, UpStepError } from './errors.js';
export { type ManagerView, managerView, parseManagerInfo } from './manager-info.js';
export {
  hasBusybox,
  MIRROR_PORT,
  type MirrorSite,
  mirrorAddress,
  seedBusybox,
  startMirror,
  stopMirror,
} from './registry-mirror.js';
export { DEFAULT_UP, loadUpFile, resolveUpSpec, type UpHost, type UpSpec, upFileSchema } from './spec.js';
export { loadUpState, type UpState, upDir } from './state.js';
export { type ClusterStatus, clusterStatus, formatStatus, type HostStatus } from './status.js';
export { fingerprint, hostRequest, kvClientPort, kvHostRequest, kvMembers, kvUrl } from './topology.js';
export {
  ClusterUp,
  type ClusterUpOptions,
  kvCluster,
  mirrorSite,
  type StepTiming,
  type UpResult,
} from './up.js';
