import { defaultRng, type Rng } from '../util/rng.js';
import { NO_HEALTHY_NODE_MESSAGE } from './filters/health-filter.js';
import { createFilters, DEFAULT_FILTERS } from './filters/registry.js';
import { createStrategy, DEFAULT_STRATEGY } from './strategies/registry.js';
import { resourceShortfall } from './strategies/weigh.js';
import type { Decision, Filter, NodeSnapshot, PlacementRequest, Rejection, Strategy } from './types.js';

/** Swarm's generic filter-failure wording (the trailing space is Swarm's). */
export const UNSATISFIABLE_PREFIX = 'Unable to find a node that satisfies the following conditions ';
/** Answer when no node is left to rank. */
export const NO_NODES_MESSAGE = 'No nodes available in the cluster';
/** Answer when spread/binpack find no node with room for the request. */
export const NO_RESOURCES_MESSAGE = 'no resources available to schedule container';

/** How the scheduler is built: names (resolved through the registries) or ready instances. */
export interface SchedulerOptions {
  /** Strategy name (`spread`, `binpack`, `binpacking`, `random`) or instance. Default `spread`. */
  readonly strategy?: string | Strategy;
  /** Filter names or instances in the order they apply. Default {@link DEFAULT_FILTERS}. */
  readonly filters?: readonly (string | Filter)[];
  /** Randomness for ties and the random strategy (used when `strategy` is a name). */
  readonly rng?: Rng;
  /** Per-filter cap on explanation lines in the failure message (all rejections stay in the data). Default 10. */
  readonly maxReasonsPerFilter?: number;
  /** How many ranked candidates a successful decision carries (`Infinity` for all). Default 10. */
  readonly rankingLimit?: number;
}

type PassResult = Decision;

/**
 * Classic Swarm's scheduler (docs/behaviour/scheduling.md#pipeline): pure, synchronous, no I/O.
 *
 * `decide` drops pending and disconnected engines, runs pass 1 (filters in order, soft `~` rules enforced, then the
 * strategy) and, when that fails and the request has soft rules, pass 2 without them; the result of the last pass
 * run is returned. A failure is data: the Swarm message — the health filter's own message, the "Unable to find a
 * node that satisfies the following conditions" form with one `[...]` line per filter up to the failing one,
 * "No nodes available in the cluster", or "no resources available to schedule container" — followed (except for
 * the health message) by one line per rejected node: `filter: node rejected (reason)`.
 */
export class Scheduler {
  readonly strategy: Strategy;
  readonly filters: readonly Filter[];
  readonly #maxReasons: number;
  readonly #rankingLimit: number;

  constructor(opts: SchedulerOptions = {}) {
    const rng = opts.rng ?? defaultRng;
    const s = opts.strategy ?? DEFAULT_STRATEGY;
    this.strategy = typeof s === 'string' ? createStrategy(s, { rng }) : s;
    const fs = opts.filters ?? DEFAULT_FILTERS;
    this.filters = fs.map((f) => (typeof f === 'string' ? createFilters([f])[0]! : f));
    this.#maxReasons = opts.maxReasonsPerFilter ?? 10;
    this.#rankingLimit = Math.max(1, opts.rankingLimit ?? 10);
  }

  /** Names of the active filters, in order, for `docker info`'s `Filters:` line. */
  get filterNames(): string[] {
    return this.filters.map((f) => f.name);
  }

  /**
   * Chooses a node for `req` among `nodes`; see the class comment. `rankingLimit` overrides the scheduler's for
   * this decision (`Infinity` scores every eligible node, as a plan does).
   */
  decide(
    req: PlacementRequest,
    nodes: readonly NodeSnapshot[],
    opts: { rankingLimit?: number } = {},
  ): Decision {
    const { skipped, candidates } = split(nodes);
    if (candidates.length === 0) {
      const health = this.filters.some((f) => f.name === 'health');
      const summary = summarize(
        nodes.length,
        0,
        groupRejections(skipped, () => ''),
      );
      const first = health ? NO_HEALTHY_NODE_MESSAGE : NO_NODES_MESSAGE;
      return {
        ok: false,
        message: nodes.length > 0 ? `${first}\n${summary}` : first,
        rejections: skipped,
        summary,
      };
    }
    const limit = Math.max(1, opts.rankingLimit ?? this.#rankingLimit);
    const first = this.#pass(req, candidates, skipped, nodes.length, true, 1, limit);
    if (first.ok || !hasSoftRules(req)) return first;
    return this.#pass(req, candidates, skipped, nodes.length, false, 2, limit);
  }

  #pass(
    req: PlacementRequest,
    candidates: readonly NodeSnapshot[],
    skipped: readonly Rejection[],
    total: number,
    soft: boolean,
    pass: 1 | 2,
    limit: number,
  ): PassResult {
    const opts = { soft };
    const rejections: Rejection[] = [...skipped];
    const describe = (filter: string): string | undefined =>
      this.filters.find((f) => f.name === filter)?.describe(req, opts);
    const { current, failedAt: i } = this.#filter(req, candidates, rejections, soft);
    if (i >= 0) {
      const summary = summarize(total, 0, groupRejections(rejections, describe));
      if (this.filters[i]!.name === 'health') {
        return { ok: false, message: `${NO_HEALTHY_NODE_MESSAGE}\n${summary}`, rejections, summary };
      }
      let message = UNSATISFIABLE_PREFIX;
      for (let j = 0; j <= i; j++) {
        const f = this.filters[j]!;
        const d = f.condition ? f.condition(req, opts) : f.describe(req, opts);
        if (d !== '') message += `\n[${d}]`;
      }
      return {
        ok: false,
        message: `${message}\n${summary}${this.#explain(rejections.slice(skipped.length))}`,
        rejections,
        summary,
      };
    }
    const ranking = this.strategy.rank(req, current, limit);
    if (ranking.length === 0) {
      for (const node of current) {
        const why = resourceShortfall(req, node) ?? 'no room';
        rejections.push({ node: node.name, filter: this.strategy.name, reason: why });
      }
      const summary = summarize(total, 0, groupRejections(rejections, describe));
      return {
        ok: false,
        message: `${NO_RESOURCES_MESSAGE}\n${summary}${this.#explain(rejections.slice(skipped.length))}`,
        rejections,
        summary,
      };
    }
    const summary = summarize(total, current.length, []);
    return { ok: true, node: ranking[0]!.node, ranking, pass, rejections, summary };
  }

  /**
   * Runs the filters in order over `candidates`, adding each node a filter rejects to `rejections`. Returns the
   * nodes every filter passed, or the index of the first filter that left none (`failedAt`, -1 when none did).
   */
  #filter(
    req: PlacementRequest,
    candidates: readonly NodeSnapshot[],
    rejections: Rejection[],
    soft: boolean,
  ): { current: readonly NodeSnapshot[]; failedAt: number } {
    const opts = { soft };
    let current = candidates;
    for (let i = 0; i < this.filters.length; i++) {
      const filter = this.filters[i]!;
      if (filter.needed?.(req, opts) === false) continue;
      const next: NodeSnapshot[] = [];
      for (const node of current) {
        const v = filter.check(req, node, opts);
        if (v.ok) next.push(node);
        else rejections.push({ node: node.name, filter: filter.name, reason: v.reason });
      }
      if (next.length === 0) return { current: next, failedAt: i };
      current = next;
    }
    return { current, failedAt: -1 };
  }

  /**
   * The rejections of a decision's pass `pass` over `nodes`, made again: the nodes skipped as pending or
   * disconnected, then those the filters rejected, in the order {@link decide} recorded them. Filters are pure
   * functions of the request and a snapshot, so for the same request and the same snapshot objects this is the
   * decision's own list; a kept placement drops that list (a rejection per node, for every decision kept) and asks
   * for it again only when its explanation is read.
   */
  rejectionsOf(req: PlacementRequest, nodes: readonly NodeSnapshot[], pass: 1 | 2): Rejection[] {
    const { skipped, candidates } = split(nodes);
    const rejections = [...skipped];
    if (candidates.length > 0) this.#filter(req, candidates, rejections, pass === 1);
    return rejections;
  }

  #explain(rejections: readonly Rejection[]): string {
    const perFilter = new Map<string, number>();
    let out = '';
    for (const r of rejections) {
      const n = (perFilter.get(r.filter) ?? 0) + 1;
      perFilter.set(r.filter, n);
      if (n <= this.#maxReasons) out += `\n${r.filter}: ${r.node} rejected (${r.reason})`;
    }
    for (const [filter, n] of perFilter) {
      if (n > this.#maxReasons) out += `\n${filter}: ... and ${n - this.#maxReasons} more nodes rejected`;
    }
    return out;
  }
}

/** Pending and disconnected nodes (skipped, as the health filter's rejections) apart from the candidates. */
function split(nodes: readonly NodeSnapshot[]): { skipped: Rejection[]; candidates: NodeSnapshot[] } {
  const skipped: Rejection[] = [];
  const candidates: NodeSnapshot[] = [];
  for (const n of nodes) {
    if (n.state === 'pending' || n.state === 'disconnected') {
      skipped.push({ node: n.name, filter: 'health', reason: `node is ${n.state}` });
    } else candidates.push(n);
  }
  return { skipped, candidates };
}

/**
 * The one-line summary of a decision: `2/3 nodes are available`, or with rejections
 * `0/3 nodes are available: 2 rejected by constraint node==x, 1 unhealthy.` (groups by count, largest first).
 */
export function summarize(total: number, available: number, groups: readonly RejectionGroup[]): string {
  const head = `${available}/${total} nodes are available`;
  if (groups.length === 0) return head;
  return `${head}: ${groups.map((g) => `${g.count} ${g.label}`).join(', ')}.`;
}

/** Rejections counted by what rejected them (a filter with what it was asked for, or the strategy). */
export interface RejectionGroup {
  readonly count: number;
  /** `unhealthy`, `rejected by constraint node==x`, `without room (spread)`. */
  readonly label: string;
}

/**
 * Groups rejections for {@link summarize}: the health filter's as `unhealthy`, a filter's as `rejected by NAME
 * WHAT` (`describe(filter)` says what the request asked of it), anything else (the strategy finding no room) as
 * `without room (NAME)`. Largest group first; ties keep first-seen order.
 */
export function groupRejections(
  rejections: readonly Rejection[],
  describe: (filter: string) => string | undefined,
): RejectionGroup[] {
  const counts = new Map<string, number>();
  const labels = new Map<string, string>();
  for (const r of rejections) {
    let label = labels.get(r.filter);
    if (label === undefined) {
      const what = r.filter === 'health' ? '' : describe(r.filter);
      if (r.filter === 'health') label = 'unhealthy';
      else if (what === undefined) label = `without room (${r.filter})`;
      else if (what === '' || what.startsWith(r.filter)) label = `rejected by ${what || r.filter}`;
      else label = `rejected by ${r.filter} ${what}`;
      labels.set(r.filter, label);
    }
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count);
}

/** True when any constraint, affinity or whitelist of `req` is soft (`~`), i.e. a second pass can differ. */
export function hasSoftRules(req: PlacementRequest): boolean {
  return (
    req.constraints.some((e) => e.soft) ||
    req.affinities.some((e) => e.soft) ||
    req.whitelists.some((e) => e.soft)
  );
}
