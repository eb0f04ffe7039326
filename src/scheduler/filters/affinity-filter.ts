import { formatExpression, matchesAny } from '../expression.js';
import { repositoryOf } from '../lookup.js';
import type { Expression, Filter, NodeSnapshot, PlacementRequest, Verdict } from '../types.js';

const PASS: Verdict = { ok: true };

/** The values an affinity key sees on a node (docs/behaviour/filters.md#affinity). */
export function affinityValues(key: string, node: NodeSnapshot): string[] {
  const out: string[] = [];
  if (key === 'container') {
    // IDs and first names of the node's named containers, any state (pending ones included).
    for (const c of node.containers) {
      const first = c.names[0];
      if (first !== undefined) out.push(c.id, first);
    }
  } else if (key === 'image') {
    // Image IDs, full repo tags and repo names without tag of the images present on the node.
    for (const img of node.images) {
      out.push(img.id);
      for (const tag of img.repoTags) out.push(tag);
      for (const tag of img.repoTags) out.push(repositoryOf(tag));
    }
  } else {
    // Any other key: that container label of each container (missing label = empty string).
    for (const c of node.containers) out.push(c.labels[key] ?? '');
  }
  return out;
}

function why(e: Expression): string {
  if (e.key === 'container') return e.op === '==' ? 'no container matches' : 'a container matches';
  if (e.key === 'image') return e.op === '==' ? 'no image matches' : 'an image matches';
  return e.op === '==' ? `no container label ${e.key} matches` : `a container label ${e.key} matches`;
}

/** The values of one key on one node, as a list (for patterns) and a set (for literals). */
interface Values {
  readonly list: readonly string[];
  readonly set: ReadonlySet<string>;
}

/**
 * `affinity`: `affinity:container==X`, `affinity:image==X`, or `affinity:LABEL==X` over the labels of the node's
 * containers. `==` passes if any value matches, `!=` if none does. Soft (`~`) expressions only apply in pass 1.
 *
 * Node snapshots are immutable, so the values of a key are computed once per snapshot and kept in a per-instance
 * `WeakMap` memo (no shared state; dropped with the snapshot). Literal values are then a set lookup.
 */
export class AffinityFilter implements Filter {
  readonly name = 'affinity';
  readonly #memo = new WeakMap<NodeSnapshot, Map<string, Values>>();

  needed(req: PlacementRequest, opts: { readonly soft: boolean }): boolean {
    return req.affinities.some((e) => opts.soft || !e.soft);
  }

  check(req: PlacementRequest, node: NodeSnapshot, opts: { readonly soft: boolean }): Verdict {
    for (const e of req.affinities) {
      if (e.soft && !opts.soft) continue;
      const values = this.#values(node, e.key);
      const literal = e.pattern?.literal;
      const ok =
        literal !== undefined ? values.set.has(literal) === (e.op === '==') : matchesAny(e, values.list);
      if (!ok) {
        return { ok: false, reason: `${formatExpression(e)}${e.soft ? ' (soft)' : ''}: ${why(e)}` };
      }
    }
    return PASS;
  }

  describe(req: PlacementRequest): string {
    return req.affinities.map(formatExpression).join(' ');
  }

  condition(req: PlacementRequest): string {
    return req.affinities.map((e) => `${formatExpression(e)} (soft=${e.soft})`).join(' ');
  }

  #values(node: NodeSnapshot, key: string): Values {
    let byKey = this.#memo.get(node);
    if (!byKey) {
      byKey = new Map();
      this.#memo.set(node, byKey);
    }
    let v = byKey.get(key);
    if (!v) {
      const list = affinityValues(key, node);
      v = { list, set: new Set(list) };
      byKey.set(key, v);
    }
    return v;
  }
}
