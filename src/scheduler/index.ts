export * from './errors.js';
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
export { findContainer, findNameHolder, repositoryOf, SWARM_ID_LABEL } from './lookup.js';
export {
  type BuiltRequest,
  buildPlacementRequest,
  type CreateBody,
  cpusToShares,
  newSwarmId,
  type ReschedulePolicy,
  SWARM_LABELS,
  sharesToCpus,
  toEngineCreateBody,
} from './request.js';
export {
  decideAndReserve,
  type Reservation,
  ReservationBook,
  type ReservedDecision,
} from './reservations.js';
export {
  hasSoftRules,
  NO_NODES_MESSAGE,
  NO_RESOURCES_MESSAGE,
  Scheduler,
  type SchedulerOptions,
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
