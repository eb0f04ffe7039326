import { defaultRng, type Rng } from '../../util/rng.js';
import type { NodeSnapshot, PlacementRequest, RankedNode, Strategy } from '../types.js';
import { rankNodes, SPREAD_HEALTH_FACTOR, UsageMemo } from './weigh.js';

/**
 * `spread`: lowest weight first (least loaded, healthiest), then fewest containers, then random. Containers in
 * every state count — kept quirk of Swarm: a node full of stopped containers looks busy. Without resource requests
 * every healthy node weighs −800, so spread means "fewest containers". An empty ranking means no node has room.
 */
export class SpreadStrategy implements Strategy {
  readonly name = 'spread';
  readonly #rng: Rng;
  readonly #usage = new UsageMemo();

  constructor(opts: { rng?: Rng } = {}) {
    this.#rng = opts.rng ?? defaultRng;
  }

  rank(req: PlacementRequest, nodes: readonly NodeSnapshot[], limit?: number): RankedNode[] {
    return rankNodes(req, nodes, SPREAD_HEALTH_FACTOR, this.#rng, true, (n) => this.#usage.of(n), limit);
  }
}
