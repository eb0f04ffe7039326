import { type ContainerKeys, findContainer, SWARM_ID_LABEL } from '../lookup.js';
import type { ContainerSnapshot, Filter, NodeSnapshot, PlacementRequest, Verdict } from '../types.js';

const PASS: Verdict = { ok: true };

/** Lookup keys of one node's containers. */
function keysOn(node: NodeSnapshot): ContainerKeys<ContainerSnapshot> {
  return {
    id: (c) => c.id,
    swarmId: (c) => c.labels[SWARM_ID_LABEL],
    names: (c) => c.names,
    node: () => node,
  };
}

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
    const keys = keysOn(node);
    const has = (ref: string) => findContainer(node.containers, ref, keys) !== undefined;
    for (const v of volumesFrom) if (!has(refOf(v))) missing.push(`--volumes-from=${v}`);
    for (const l of links) if (!has(refOf(l))) missing.push(`--link=${l}`);
    if (netContainer !== undefined && !has(netContainer)) {
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
