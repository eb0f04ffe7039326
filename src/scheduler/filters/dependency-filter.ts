import { findContainer } from '../lookup.js';
import type { Filter, NodeSnapshot, PlacementRequest, Verdict } from '../types.js';

const PASS: Verdict = { ok: true };

/** `name[:suffix]` → `name` (`--volumes-from X:ro`, `--link X:alias`). */
function refOf(spec: string): string {
  const colon = spec.indexOf(':');
  return colon < 0 ? spec : spec.slice(0, colon);
}

/**
 * `dependency` (never soft): the node must already hold every container named by `--volumes-from X[:mode]`,
 * `--link X[:alias]` and `--net=container:X`, found with Swarm's lookup rules (ID, short ID, swarm ID, name,
 * `node/name`, unique prefix). Containers in any state count, pending ones too.
 */
export class DependencyFilter implements Filter {
  readonly name = 'dependency';

  needed(req: PlacementRequest): boolean {
    const d = req.dependencies;
    return d.volumesFrom.length > 0 || d.links.length > 0 || d.netContainer !== undefined;
  }

  check(req: PlacementRequest, node: NodeSnapshot): Verdict {
    const { volumesFrom, links, netContainer } = req.dependencies;
    const missing: string[] = [];
    for (const v of volumesFrom) if (!findContainer(node, refOf(v))) missing.push(`--volumes-from=${v}`);
    for (const l of links) if (!findContainer(node, refOf(l))) missing.push(`--link=${l}`);
    if (netContainer !== undefined && !findContainer(node, netContainer)) {
      missing.push(`--net=container:${netContainer}`);
    }
    if (missing.length === 0) return PASS;
    return { ok: false, reason: `missing ${missing.join(' ')}` };
  }

  describe(req: PlacementRequest): string {
    const { volumesFrom, links, netContainer } = req.dependencies;
    const out = [...volumesFrom.map((v) => `--volumes-from=${v}`), ...links.map((l) => `--link=${l}`)];
    if (netContainer !== undefined) out.push(`--net=container:${netContainer}`);
    return out.join(' ');
  }
}
