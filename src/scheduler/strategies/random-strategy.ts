import { defaultRng, type Rng } from '../../util/rng.js';
import type { NodeSnapshot, PlacementRequest, RankedNode, Strategy } from '../types.js';

/**
 * `random`: a Fisher–Yates shuffle of the filtered nodes. As in Swarm there is no resource check at all, so it
 * may place a container on a node without room. The score is the position (0 = chosen).
 */
export class RandomStrategy implements Strategy {
  readonly name = 'random';
  readonly #rng: Rng;

  constructor(opts: { rng?: Rng } = {}) {
    this.#rng = opts.rng ?? defaultRng;
  }

  rank(
    _req: PlacementRequest,
    nodes: readonly NodeSnapshot[],
    limit = Number.POSITIVE_INFINITY,
  ): RankedNode[] {
    // Fisher–Yates from the front: the first k positions are a uniform random k-permutation after k steps.
    const out = nodes.slice();
    const k = Math.min(limit, out.length);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(this.#rng() * (out.length - i));
      const t = out[i]!;
      out[i] = out[j]!;
      out[j] = t;
    }
    return out
      .slice(0, k)
      .map((node, i) => ({ node, score: i, components: { containers: node.containers.length } }));
  }
}
