import { formatExpression, matchesAny } from '../expression.js';
import { repositoryOf } from '../lookup.js';
import type { Expression, Filter, NodeSnapshot, PlacementRequest, Verdict } from '../types.js';

const PASS: Verdict = { ok: true };

/** The values an affinity key sees on a node (§1.10). */
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

/**
 * `affinity`: `affinity:container==X`, `affinity:image==X`, or `affinity:LABEL==X` over the labels of the node's
 * containers. `==` passes if any value matches, `!=` if none does. Soft (`~`) expressions only apply in pass 1.
 */
export class AffinityFilter implements Filter {
  readonly name = 'affinity';

  check(req: PlacementRequest, node: NodeSnapshot, opts: { readonly soft: boolean }): Verdict {
    for (const e of req.affinities) {
      if (e.soft && !opts.soft) continue;
      if (!matchesAny(e, affinityValues(e.key, node))) {
        return { ok: false, reason: `${formatExpression(e)}${e.soft ? ' (soft)' : ''}: ${why(e)}` };
      }
    }
    return PASS;
  }

  describe(req: PlacementRequest): string {
    return req.affinities.map(formatExpression).join(' ');
  }
}
