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

  /** Chooses a node for `req` among `nodes`; see the class comment. */
  decide(req: PlacementRequest, nodes: readonly NodeSnapshot[]): Decision {
    const candidates = nodes.filter((n) => n.state !== 'pending' && n.state !== 'disconnected');
    if (candidates.length === 0) {
      const health = this.filters.some((f) => f.name === 'health');
      return { ok: false, message: health ? NO_HEALTHY_NODE_MESSAGE : NO_NODES_MESSAGE, rejections: [] };
    }
    const first = this.#pass(req, candidates, true, 1);
    if (first.ok || !hasSoftRules(req)) return first;
    return this.#pass(req, candidates, false, 2);
  }

  #pass(req: PlacementRequest, candidates: readonly NodeSnapshot[], soft: boolean, pass: 1 | 2): PassResult {
    const opts = { soft };
    const rejections: Rejection[] = [];
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
      if (next.length === 0) {
        if (filter.name === 'health') return { ok: false, message: NO_HEALTHY_NODE_MESSAGE, rejections };
        let message = UNSATISFIABLE_PREFIX;
        for (let j = 0; j <= i; j++) {
          const d = this.filters[j]!.describe(req, opts);
          if (d !== '') message += `\n[${d}]`;
        }
        return { ok: false, message: message + this.#explain(rejections), rejections };
      }
      current = next;
    }
    const ranking = this.strategy.rank(req, current, this.#rankingLimit);
    if (ranking.length === 0) {
      for (const node of current) {
        const why = resourceShortfall(req, node) ?? 'no room';
        rejections.push({ node: node.name, filter: this.strategy.name, reason: why });
      }
      return { ok: false, message: NO_RESOURCES_MESSAGE + this.#explain(rejections), rejections };
    }
    return { ok: true, node: ranking[0]!.node, ranking, pass, rejections };
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

/** True when any constraint, affinity or whitelist of `req` is soft (`~`), i.e. a second pass can differ. */
export function hasSoftRules(req: PlacementRequest): boolean {
  return (
    req.constraints.some((e) => e.soft) ||
    req.affinities.some((e) => e.soft) ||
    req.whitelists.some((e) => e.soft)
  );
}
