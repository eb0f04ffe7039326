import { formatExpression, matchesOne } from '../expression.js';
import type { Filter, NodeSnapshot, PlacementRequest, Verdict } from '../types.js';

const PASS: Verdict = { ok: true };

/**
 * `constraint`: `constraint:node==X` matches the node ID or name; any other key matches that node label (engine
 * labels and the built-ins `storagedriver`, `kernelversion`, `operatingsystem`, `executiondriver`, `ostype`);
 * a missing label is the empty string. Soft (`~`) expressions only apply in pass 1.
 */
export class ConstraintFilter implements Filter {
  readonly name = 'constraint';

  needed(req: PlacementRequest, opts: { readonly soft: boolean }): boolean {
    return req.constraints.some((e) => opts.soft || !e.soft);
  }

  check(req: PlacementRequest, node: NodeSnapshot, opts: { readonly soft: boolean }): Verdict {
    for (const e of req.constraints) {
      if (e.soft && !opts.soft) continue;
      let ok: boolean;
      let seen: string;
      if (e.key === 'node') {
        const hit = matchesOne(e, node.id) || matchesOne(e, node.name);
        // `node!=X` must hold for both the ID and the name.
        ok = e.op === '==' ? hit : matchesOne(e, node.id) && matchesOne(e, node.name);
        seen = `node=${node.name}`;
      } else {
        const v = node.labels[e.key] ?? '';
        ok = matchesOne(e, v);
        seen = node.labels[e.key] === undefined ? `no label ${e.key}` : `${e.key}=${v}`;
      }
      if (!ok) {
        return {
          ok: false,
          reason: `${seen} does not satisfy ${formatExpression(e)}${e.soft ? ' (soft)' : ''}`,
        };
      }
    }
    return PASS;
  }

  describe(req: PlacementRequest): string {
    return req.constraints.map(formatExpression).join(' ');
  }

  condition(req: PlacementRequest): string {
    return req.constraints.map((e) => `${formatExpression(e)} (soft=${e.soft})`).join(' ');
  }
}
