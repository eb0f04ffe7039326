import type { Filter, NodeSnapshot, PlacementRequest, Verdict } from '../types.js';

const PASS: Verdict = { ok: true };
const INT_RE = /^[+-]?\d+$/;

/**
 * `containerslots`: a node with engine label `containerslots=N` (an integer, as Go's `strconv.Atoi` reads it)
 * accepts a container only while it holds fewer than N containers, counting every state (stopped and pending
 * included, as Swarm did). No label, or a value that is not an integer, means unlimited.
 */
export class ContainerSlotsFilter implements Filter {
  readonly name = 'containerslots';

  check(_req: PlacementRequest, node: NodeSnapshot): Verdict {
    const raw = node.labels.containerslots;
    if (raw === undefined || !INT_RE.test(raw)) return PASS;
    const slots = Number.parseInt(raw, 10);
    const used = node.containers.length;
    if (used < slots) return PASS;
    return { ok: false, reason: `${used} containers, containerslots=${raw}` };
  }

  describe(): string {
    return 'available container slots';
  }
}
