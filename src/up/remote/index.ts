export {
  ensureMember,
  memberArgv,
  removeMember,
  stopMember,
  supervisorScript,
  systemdUnit,
} from './etcd-member.js';
export {
  type HostRole,
  hostsFileSchema,
  isHostsFile,
  KV_SIZES,
  loadHostsFile,
  type RemoteHost,
  type RemoteSpec,
  resolveHostsFile,
} from './hosts-file.js';
export {
  ENGINE_PORT,
  ETCD_UNIT,
  type HostPlan,
  KV_CLIENT_PORT,
  kvClientOpts,
  MANAGER_PORT,
  type MemberPlan,
  machineRequest,
  memberPlans,
  REMOTE_CERT_DIR,
  REMOTE_DIR,
  REMOTE_ETCD_DIR,
  type RemotePlan,
  remotePlan,
} from './plan.js';
export { formatProblems, type HostFacts, judgeHost, parseProbe, probeHost } from './preflight.js';
export { DEPROVISION_SCRIPT, remoteDown, takeDownHost } from './remote-down.js';
export { RemoteShell } from './remote-shell.js';
export { loadRemoteState, type RemoteState } from './remote-state.js';
export { remoteStatus } from './remote-status.js';
export { RemoteUp, type RemoteUpOptions, type RemoteUpResult } from './remote-up.js';
