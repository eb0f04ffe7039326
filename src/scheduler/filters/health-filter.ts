import type { Filter, NodeSnapshot, PlacementRequest, Verdict } from '../types.js';

const PASS: Verdict = { ok: true };

/** The message Swarm returns as is when the health filter leaves no node. */
export const NO_HEALTHY_NODE_MESSAGE = 'No healthy node available in the cluster';

/**
 * `health`: keeps nodes whose health indicator is above 0 (healthy and under `--engine-failure-retry` failures).
 * When it removes every node the scheduler answers {@link NO_HEALTHY_NODE_MESSAGE} instead of the generic message.
 */
export class HealthFilter implements Filter {
  readonly name = 'health';

  check(_req: PlacementRequest, node: NodeSnapshot): Verdict {
    if (node.state === 'healthy' && node.healthIndicator > 0) return PASS;
    return { ok: false, reason: `node is ${node.state} (health ${node.healthIndicator})` };
  }

  describe(): string {
    return '';
  }
}
