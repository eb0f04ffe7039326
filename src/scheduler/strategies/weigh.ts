import type { Rng } from '../../util/rng.js';
import type { NodeSnapshot, PlacementRequest, RankedNode } from '../types.js';

/** Health factor of `spread`: a node with recent failures gets a higher (worse) weight. */
export const SPREAD_HEALTH_FACTOR = -10;
/** Health factor of `binpack`: a node with recent failures gets a lower (worse) weight. */
export const BINPACK_HEALTH_FACTOR = 10;

/**
 * Node capacity with `swarm.overcommit` applied, exactly as Swarm: the ratio becomes an integer percentage
 * `trunc(ratio*100)` (so 0.05 → 5, and 0.29 → 28 through float rounding), then `real + trunc(real*pct/100)`.
 * The cluster layer applies it when it builds snapshots (`NodeSnapshot.totalCpus/totalMemory` already include it);
 * strategies read the totals as given.
 */
export function applyOvercommit(real: number, ratio: number): number {
  const pct = Math.trunc(ratio * 100);
  return real + Math.trunc((real * pct) / 100);
}

/** CPUs and memory reserved on a node: the sum over all its containers, any state, pending ones included. */
export function usedResources(node: NodeSnapshot): { cpus: number; memory: number } {
  let cpus = 0;
  let memory = 0;
  for (const c of node.containers) {
    cpus += c.cpus;
    memory += c.memory;
  }
  return { cpus, memory };
}

/**
 * Memo of {@link usedResources} per node snapshot. Snapshots are immutable, so the sum is computed once per
 * snapshot object and dropped with it (`WeakMap`); each strategy instance owns one.
 */
export class UsageMemo {
  readonly #memo = new WeakMap<NodeSnapshot, { cpus: number; memory: number }>();

  /** CPUs and memory reserved on `node` (see {@link usedResources}). */
  of(node: NodeSnapshot): { cpus: number; memory: number } {
    let u = this.#memo.get(node);
    if (!u) {
      u = usedResources(node);
      this.#memo.set(node, u);
    }
    return u;
  }
}

/**
 * Swarm's shared weighting for spread and binpack (docs/behaviour/scheduling.md#weighting), with its integer
 * arithmetic: a node smaller than the request is skipped; cpu = 100 without a CPU request, else
 * trunc((used+req)*100/total); memory likewise; a node with either score above 100 is dropped (and, unlike
 * Swarm, one where used+req would exceed the total at all); weight = cpu + memory + factor × health.
 * Returns the survivors unsorted with a sort key `order`: weight then container count, ascending (spread) or
 * descending (binpack), then a tie-break drawn from `rng` so full ties end up in random order.
 */
export function weighNodes(
  req: PlacementRequest,
  nodes: readonly NodeSnapshot[],
  factor: number,
  rng: Rng,
  ascending: boolean,
  usage: (node: NodeSnapshot) => { cpus: number; memory: number } = usedResources,
): WeightedNode[] {
  const out: WeightedNode[] = [];
  weighEach(req, nodes, factor, rng, ascending, usage, (node, weight, cpu, memory, health, order) => {
    out.push({ node, weight, cpu, memory, health, order });
  });
  return out;
}

/**
 * The strategies' ranking: {@link weighNodes} then {@link toRanking}, the same nodes in the same order (the same
 * draws from `rng`), but with a `limit` below the node count only the nodes that make the running top list are
 * kept, so a decision over 1,000 nodes allocates a few entries instead of one per node.
 */
export function rankNodes(
  req: PlacementRequest,
  nodes: readonly NodeSnapshot[],
  factor: number,
  rng: Rng,
  ascending: boolean,
  usage: (node: NodeSnapshot) => { cpus: number; memory: number },
  limit = Number.POSITIVE_INFINITY,
): RankedNode[] {
  if (limit >= nodes.length) return toRanking(weighNodes(req, nodes, factor, rng, ascending, usage), limit);
  const best: WeightedNode[] = [];
  weighEach(req, nodes, factor, rng, ascending, usage, (node, weight, cpu, memory, health, order) => {
    if (best.length === limit && order >= best[limit - 1]!.order) return;
    let i = best.length === limit ? limit - 1 : best.length;
    while (i > 0 && best[i - 1]!.order > order) {
      best[i] = best[i - 1]!;
      i--;
    }
    best[i] = { node, weight, cpu, memory, health, order };
  });
  return toRanking(best);
}

/** The weighting loop of {@link weighNodes}: `keep` is called for each surviving node, in order. */
function weighEach(
  req: PlacementRequest,
  nodes: readonly NodeSnapshot[],
  factor: number,
  rng: Rng,
  ascending: boolean,
  usage: (node: NodeSnapshot) => { cpus: number; memory: number },
  keep: (
    node: NodeSnapshot,
    weight: number,
    cpu: number,
    memory: number,
    health: number,
    order: number,
  ) => void,
): void {
  for (const node of nodes) {
    if (node.totalMemory < req.memory || node.totalCpus < req.cpus) continue;
    let cpu = 100;
    let memory = 100;
    if (req.cpus > 0 || req.memory > 0) {
      const used = usage(node);
      // Deliberate fix of a Swarm quirk: its truncated score stays 100 while used+req exceeds the total by less
      // than 1%, so Swarm could overbook a node by up to 1% of its total. shoal also drops such nodes.
      if (req.cpus > 0 && used.cpus + req.cpus > node.totalCpus) continue;
      if (req.memory > 0 && used.memory + req.memory > node.totalMemory) continue;
      if (req.cpus > 0) cpu = Math.floor(((used.cpus + req.cpus) * 100) / node.totalCpus);
      if (req.memory > 0) memory = Math.floor(((used.memory + req.memory) * 100) / node.totalMemory);
    }
    if (cpu > 100 || memory > 100) continue;
    const health = factor * node.healthIndicator;
    const weight = cpu + memory + health;
    // One number orders by weight, then container count, then the random tie-break in [0, 1): exact while
    // |weight| and the count stay below 2^20 (weights are within ±1,200), with ~2^-22 left for the tie.
    const primary = weight * 2 ** 20 + node.containers.length;
    keep(node, weight, cpu, memory, health, (ascending ? primary : -primary) + rng());
  }
}

/** One node with its weight and the parts it is made of. */
export interface WeightedNode {
  readonly node: NodeSnapshot;
  readonly weight: number;
  readonly cpu: number;
  readonly memory: number;
  readonly health: number;
  /** Sort key, lower = better: weight then container count (ascending or descending), then a random tie-break. */
  readonly order: number;
}

/**
 * The best `limit` weighted nodes (all when absent) by their key, best first, as the scheduler's ranking. A small
 * limit is a single linear pass keeping a sorted top list, so 1,000 nodes are never fully sorted.
 */
export function toRanking(weighted: WeightedNode[], limit = Number.POSITIVE_INFINITY): RankedNode[] {
  let best: WeightedNode[];
  if (limit >= weighted.length) {
    best = weighted.sort((a, b) => a.order - b.order);
  } else {
    best = [];
    for (const w of weighted) {
      if (best.length === limit && w.order >= best[limit - 1]!.order) continue;
      let i = best.length === limit ? limit - 1 : best.length;
      while (i > 0 && best[i - 1]!.order > w.order) {
        best[i] = best[i - 1]!;
        i--;
      }
      best[i] = w;
    }
  }
  return best.map((w) => ({
    node: w.node,
    score: w.weight,
    components: { cpu: w.cpu, memory: w.memory, health: w.health, containers: w.node.containers.length },
  }));
}

function gib(bytes: number): string {
  return `${Math.round((bytes / 1024 ** 3) * 100) / 100}GiB`;
}

/** Why {@link weighNodes} skipped a node, for the "no resources" explanation (`undefined` if it fits). */
export function resourceShortfall(req: PlacementRequest, node: NodeSnapshot): string | undefined {
  const used = usedResources(node);
  const parts: string[] = [];
  if (req.cpus > 0 && (node.totalCpus < req.cpus || used.cpus + req.cpus > node.totalCpus)) {
    parts.push(`needs ${req.cpus} CPUs, ${used.cpus} of ${node.totalCpus} reserved`);
  }
  if (req.memory > 0 && (node.totalMemory < req.memory || used.memory + req.memory > node.totalMemory)) {
    parts.push(`needs ${gib(req.memory)} memory, ${gib(used.memory)} of ${gib(node.totalMemory)} reserved`);
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}
