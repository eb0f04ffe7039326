import { defaultRng, type Rng } from '../../util/rng.js';
import type { NodeSnapshot, PlacementRequest, RankedNode, Strategy } from '../types.js';
import { BINPACK_HEALTH_FACTOR, rankNodes, UsageMemo } from './weigh.js';

/**
 * `binpack` (alias `binpacking`): highest weight first (fullest node that still fits, healthiest), then most
 * containers, then random. It never places beyond a node's total (overcommit included). An empty ranking means
 * no node has room.
 */
export class BinpackStrategy implements Strategy {
  readonly name = 'binpack';
  readonly #rng: Rng;
  readonly #usage = new UsageMemo();

  constructor(opts: { rng?: Rng } = {}) {
    this.#rng = opts.rng ?? defaultRng;
  }

  rank(req: PlacementRequest, nodes: readonly NodeSnapshot[], limit?: number): RankedNode[] {
    return rankNodes(req, nodes, BINPACK_HEALTH_FACTOR, this.#rng, false, (n) => this.#usage.of(n), limit);
  }
}
