import type { Rng } from '../../util/rng.js';
import { StrategyNotSupportedError } from '../errors.js';
import type { Strategy } from '../types.js';
import { BinpackStrategy } from './binpack-strategy.js';
import { RandomStrategy } from './random-strategy.js';
import { SpreadStrategy } from './spread-strategy.js';

/** Name → factory for every strategy `--strategy` accepts (`binpacking` is Swarm's alias of `binpack`). */
export const STRATEGY_FACTORIES: Readonly<Record<string, (opts: { rng?: Rng }) => Strategy>> = {
  spread: (opts) => new SpreadStrategy(opts),
  binpack: (opts) => new BinpackStrategy(opts),
  binpacking: (opts) => new BinpackStrategy(opts),
  random: (opts) => new RandomStrategy(opts),
};

/** The strategy used when `--strategy` is not given. */
export const DEFAULT_STRATEGY = 'spread';

/**
 * Builds a strategy by name; `rng` breaks ties (spread, binpack) and shuffles (random).
 * @throws StrategyNotSupportedError for an unknown name, listing the valid ones.
 */
export function createStrategy(name: string = DEFAULT_STRATEGY, opts: { rng?: Rng } = {}): Strategy {
  const factory = Object.hasOwn(STRATEGY_FACTORIES, name) ? STRATEGY_FACTORIES[name] : undefined;
  if (!factory) throw new StrategyNotSupportedError(name, Object.keys(STRATEGY_FACTORIES));
  return factory(opts);
}
