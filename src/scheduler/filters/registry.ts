import { FilterNotSupportedError } from '../errors.js';
import type { Filter } from '../types.js';
import { AffinityFilter } from './affinity-filter.js';
import { ConstraintFilter } from './constraint-filter.js';
import { ContainerSlotsFilter } from './containerslots-filter.js';
import { DependencyFilter } from './dependency-filter.js';
import { HealthFilter } from './health-filter.js';
import { PortFilter } from './port-filter.js';
import { WhitelistFilter } from './whitelist-filter.js';

/** Name → factory for every filter `--filter` accepts. Filters are stateless; a factory returns a fresh one. */
export const FILTER_FACTORIES: Readonly<Record<string, () => Filter>> = {
  health: () => new HealthFilter(),
  port: () => new PortFilter(),
  containerslots: () => new ContainerSlotsFilter(),
  dependency: () => new DependencyFilter(),
  affinity: () => new AffinityFilter(),
  constraint: () => new ConstraintFilter(),
  whitelist: () => new WhitelistFilter(),
};

/**
 * Filters used when `--filter` is not given, in order: the tutorial's `Filters:` line (Swarm 1.2.5). `whitelist`
 * is available by name (`--filter whitelist`) but not on by default.
 */
export const DEFAULT_FILTERS: readonly string[] = [
  'health',
  'port',
  'containerslots',
  'dependency',
  'affinity',
  'constraint',
];

/**
 * Builds filters from names, keeping the given order (order given = order applied).
 * @throws FilterNotSupportedError for an unknown name, listing the valid ones.
 */
export function createFilters(names: readonly string[] = DEFAULT_FILTERS): Filter[] {
  return names.map((name) => {
    const factory = Object.hasOwn(FILTER_FACTORIES, name) ? FILTER_FACTORIES[name] : undefined;
    if (!factory) throw new FilterNotSupportedError(name, Object.keys(FILTER_FACTORIES));
    return factory();
  });
}
