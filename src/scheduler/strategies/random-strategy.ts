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

  rank(_req: PlacementRequest, nodes: readonly NodeSnapshot[]): RankedNode[] {
    const out = nodes.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.#rng() * (i + 1));
      const t = out[i]!;
      out[i] = out[j]!;
      out[j] = t;
    }
    return out.map((node, i) => ({ node, score: i, components: { containers: node.containers.length } }));
  }
}
