/**
 * The manager's cluster layer: engines and their cached state, health and refresh loops, lookups across nodes,
 * the container create flow and the event bus. The API layer builds one {@link Cluster} and talks to engines
 * through `engine.client` (an `EngineClient` from `src/engine/`), so every call counts toward engine health.
 */
export { Cluster, type ClusterOptions } from './cluster.js';
export { CACHED_CONTAINER_KEYS, containerNames, type NodeContainer } from './container-index.js';
export { Engine, type EngineHooks, type EngineSettings } from './engine.js';
export { type CachedContainer, EngineCache } from './engine-cache.js';
export type {
  ContainerInspect,
  ContainerSummary,
  EngineEvent,
  EngineInfo,
  EngineVersion,
  ImageSummary,
  NetworkResource,
  VolumeResource,
} from './engine-types.js';
export {
  AmbiguousReferenceError,
  ChosenNodeGoneError,
  EngineValidationError,
  NameConflictError,
  NoHealthyNodeError,
  NoNodeAvailableError,
  NoSuchContainerError,
  NoSuchImageError,
  NoSuchNetworkError,
  NoSuchNodeError,
  NoSuchVolumeError,
  SwarmNoSuchContainerError,
  SwarmNoSuchImageError,
  SwarmNoSuchNetworkError,
  SwarmNoSuchVolumeError,
  UnhealthyNodeError,
} from './errors.js';
export {
  type AnnotatedEvent,
  annotateEvent,
  type ClusterEvent,
  type ClusterEventListener,
  ClusterEvents,
  type SwarmAction,
  swarmEvent,
} from './events.js';
export type { EngineState, HealthTransition } from './health.js';
export { pullImage, pullParams } from './image-pull.js';
export { INSPECT_MAX_AGE_MS, InspectCache, STREAM_SETTLE_MS } from './inspect-cache.js';
export {
  type CreateOptions,
  type CreateResult,
  type CreateTiming,
  type Placed,
  Placement,
  type PlacementOptions,
  type PlacementScheduler,
  type PlacementWork,
  type PlaceOptions,
} from './placement.js';
export { EtcdStateStore, STATE_PATHS } from './reschedule/etcd-state-store.js';
export { recreateSpec, reschedulePolicyOf, swarmIdOf } from './reschedule/policy.js';
export {
  DEFAULT_RECONCILE_INTERVAL_MS,
  DEFAULT_RESCHEDULE_GRACE_MS,
  type DrainStatus,
  type PendingReschedule,
  type RescheduleObserver,
  type RescheduleResult,
  Rescheduler,
  type ReschedulerOptions,
  type RescheduleTrigger,
} from './reschedule/rescheduler.js';
export {
  AVAILABILITIES,
  type ClusterStateStore,
  type DesiredContainer,
  MemoryStateStore,
  type NodeAvailability,
  type NodeRecord,
} from './reschedule/state-store.js';
export { reservedCpus } from './reserved.js';
export { containerSnapshot, snapshotOf, withOvercommit } from './snapshot.js';
export { cpusToShares, engineCreateBody, sharesToCpus, stripNodePrefixes } from './swarm-config.js';
