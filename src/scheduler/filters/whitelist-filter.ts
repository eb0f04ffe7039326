import { formatExpression } from '../expression.js';
import type { Filter, NodeSnapshot, PlacementRequest, Verdict } from '../types.js';

const PASS: Verdict = { ok: true };

/**
 * `whitelist` (Swarm HEAD): `whitelist:KEY==n1|n2` keeps nodes whose *name* equals one of the `|`-separated names.
 * Kept quirk: the key and the operator are ignored (`!=` still whitelists), as in Swarm. Soft ones apply in pass 1.
 */
export class WhitelistFilter implements Filter {
  readonly name = 'whitelist';

  needed(req: PlacementRequest, opts: { readonly soft: boolean }): boolean {
    return req.whitelists.some((e) => opts.soft || !e.soft);
  }

  check(req: PlacementRequest, node: NodeSnapshot, opts: { readonly soft: boolean }): Verdict {
    for (const e of req.whitelists) {
      if (e.soft && !opts.soft) continue;
      if (!e.value.split('|').includes(node.name)) {
        return { ok: false, reason: `${node.name} is not in whitelist ${e.value}` };
      }
    }
    return PASS;
  }

  describe(req: PlacementRequest): string {
    return req.whitelists.map(formatExpression).join(' ');
  }

  condition(req: PlacementRequest): string {
    return req.whitelists.map((e) => `${formatExpression(e)} (soft=${e.soft})`).join(' ');
  }
}
