/**
 * The pure scheduler (docs/behaviour/scheduling.md, filters.md, expressions.md): `buildPlacementRequest`
 * turns a create body into a `PlacementRequest`, `Scheduler.decide` (or `decideAndReserve` with a
 * `ReservationBook`) turns node snapshots into a `Decision`. No I/O, no clock; randomness only through an
 * injected `Rng`.
 *
 * Swarm quirks kept on purpose (users' existing setups depend on them, and `docker info` promises Swarm's filters):
 * stopped and pending containers count everywhere (spread/binpack container counts, slots, ports, affinities);
 * the port filter ignores the protocol; in globs only `*` is special and other regex characters keep their meaning;
 * an invalid regex matches nothing (so `!=` passes); whitelist ignores its key and operator; `random` ignores
 * resources; container affinity compares full IDs and first names only; overcommit is `trunc(ratio*100)` percent;
 * the "following conditions" lines list every expression, soft ones too, without `~`; `::` binds all interfaces.
 *
 * Deliberate deviations: an invalid expression or a malformed `com.docker.swarm.*` label is a 400 at request build
 * time (Swarm failed later with the generic text, or ignored the label); spread/binpack never let used+requested
 * exceed a node's total (Swarm's truncated percentage allowed up to 1% over); `NanoCpus` counts when `CpuShares` is
 * 0; bindings without a host port are not listed as `[port  (Bridge mode)]`; failure messages end with one line per
 * rejected node; expression keys are matched as written.
 */
export * from './errors.js';
export {
  type ExplanationContext,
  explainDecision,
  type NodeVerdict,
  type PlacementExplanation,
} from './explanation.js';
export {
  compilePattern,
  formatExpression,
  matchesAny,
  matchesOne,
  parseExpression,
  parseExpressions,
} from './expression.js';
export { AffinityFilter, affinityValues } from './filters/affinity-filter.js';
export { ConstraintFilter } from './filters/constraint-filter.js';
export { ContainerSlotsFilter } from './filters/containerslots-filter.js';
export { DependencyFilter } from './filters/dependency-filter.js';
export { HealthFilter, NO_HEALTHY_NODE_MESSAGE } from './filters/health-filter.js';
export { bindsAllInterfaces, PortFilter } from './filters/port-filter.js';
export { createFilters, DEFAULT_FILTERS, FILTER_FACTORIES } from './filters/registry.js';
export { WhitelistFilter } from './filters/whitelist-filter.js';
export {
  type ContainerKeys,
  findContainer,
  findNetwork,
  findVolumes,
  type ImageKeys,
  imageMatches,
  type LookupNode,
  type NetworkKeys,
  type NodeNetwork,
  type NodeVolume,
  normalizeImageRef,
  repositoryOf,
  SWARM_ID_LABEL,
} from './lookup.js';
export {
  type BuiltRequest,
  buildPlacementRequest,
  type CreateBody,
  lenientJson,
  newSwarmId,
  type ReschedulePolicy,
  readCreateBody,
  SWARM_LABELS,
} from './request.js';
export {
  decideAndReserve,
  type Reservation,
  ReservationBook,
  type ReservedDecision,
} from './reservations.js';
export {
  groupRejections,
  hasSoftRules,
  NO_NODES_MESSAGE,
  NO_RESOURCES_MESSAGE,
  type RejectionGroup,
  Scheduler,
  type SchedulerOptions,
  summarize,
  UNSATISFIABLE_PREFIX,
} from './scheduler.js';
export { BinpackStrategy } from './strategies/binpack-strategy.js';
export { RandomStrategy } from './strategies/random-strategy.js';
export { createStrategy, DEFAULT_STRATEGY, STRATEGY_FACTORIES } from './strategies/registry.js';
export { SpreadStrategy } from './strategies/spread-strategy.js';
export {
  applyOvercommit,
  BINPACK_HEALTH_FACTOR,
  SPREAD_HEALTH_FACTOR,
  usedResources,
} from './strategies/weigh.js';
export type * from './types.js';
