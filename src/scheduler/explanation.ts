import type { Decision, NodeSnapshot } from './types.js';

/** One node's part in a placement: chosen, eligible (passed every filter) or rejected (by which filter, why). */
export interface NodeVerdict {
  readonly name: string;
  readonly id: string;
  readonly addr: string;
  readonly verdict: 'chosen' | 'eligible' | 'rejected';
  /** The filter (or strategy, when no room was left) that rejected the node. */
  readonly filter?: string;
  readonly reason?: string;
  /** The strategy's score (lower is better for spread, higher for binpack); for the best ranked nodes only. */
  readonly score?: number;
  /** 1 for the chosen node, then 2, 3 ... in the strategy's order; for the best ranked nodes only. */
  readonly rank?: number;
}

/**
 * A placement decision kept as data (the JSON of `GET /shoal/v1/placements/{container}` and `POST /shoal/v1/plan`):
 * the node chosen (null when none fits), the scheduler's configuration, when it was decided, a one-line summary,
 * each node's verdict, and the Swarm error message when nothing fits.
 */
export interface PlacementExplanation {
  /** The container's ID, for a placement that created one. */
  readonly container?: string;
  /** Name of the chosen node, or null. */
  readonly node: string | null;
  readonly strategy: string;
  readonly filters: readonly string[];
  /** ISO-8601 time of the decision. */
  readonly at: string;
  /** `2/3 nodes are available` or `0/3 nodes are available: 2 rejected by constraint node==x, 1 unhealthy.` */
  readonly summary: string;
  readonly nodes: readonly NodeVerdict[];
  /** The scheduler's message when no node fits. */
  readonly error?: string;
}

/** What {@link explainDecision} adds to the decision: the scheduler's configuration and the decision's time. */
export interface ExplanationContext {
  readonly strategy: string;
  readonly filters: readonly string[];
  /** ISO-8601 time of the decision (the caller's clock: the scheduler reads none). */
  readonly at: string;
  readonly container?: string;
  /** Leave out eligible nodes the strategy did not score (they add nothing; the summary counts them). */
  readonly scoredOnly?: boolean;
}

/**
 * Turns a decision over `nodes` (the snapshots it was made from) into a {@link PlacementExplanation}: every node
 * gets a verdict, in the order given (eligible unscored ones only without `scoredOnly`). Pure.
 */
export function explainDecision(
  decision: Decision,
  nodes: readonly NodeSnapshot[],
  ctx: ExplanationContext,
): PlacementExplanation {
  const rejected = new Map(decision.rejections.map((r) => [r.node, r]));
  const ranked = new Map<string, { score: number; rank: number }>();
  if (decision.ok) {
    for (const [i, r] of decision.ranking.entries()) ranked.set(r.node.id, { score: r.score, rank: i + 1 });
  }
  const chosen = decision.ok ? decision.node.id : undefined;
  const verdicts: NodeVerdict[] = [];
  for (const n of nodes) {
    const base = { name: n.name, id: n.id, addr: n.addr };
    const r = rejected.get(n.name);
    const score = ranked.get(n.id);
    if (r) verdicts.push({ ...base, verdict: 'rejected', filter: r.filter, reason: r.reason });
    else if (score || !ctx.scoredOnly) {
      verdicts.push({ ...base, verdict: n.id === chosen ? 'chosen' : 'eligible', ...(score ?? {}) });
    }
  }
  return {
    ...(ctx.container ? { container: ctx.container } : {}),
    node: decision.ok ? decision.node.name : null,
    strategy: ctx.strategy,
    filters: [...ctx.filters],
    at: ctx.at,
    summary: decision.summary,
    nodes: verdicts,
    ...(decision.ok ? {} : { error: decision.message }),
  };
}
