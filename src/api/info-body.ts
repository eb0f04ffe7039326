import { naturalCompare } from '../util/natural-compare.js';
import type { ApiCluster, ApiNode } from './cluster-port.js';
import type { ManagerInfo } from './context.js';
import { headerPairs, infoFields, nodePairs } from './info.js';

/** What a node's pairs are made of, as last rendered (labels and counts compared by identity). */
interface Shown {
  readonly id: string;
  readonly name: string;
  readonly addr: string;
  readonly state: ApiNode['state'];
  readonly error: string;
  readonly updatedAt: number;
  readonly serverVersion: string;
  readonly availability: string | undefined;
  readonly usedCpus: number;
  readonly totalCpus: number;
  readonly usedMemory: number;
  readonly totalMemory: number;
  readonly labels: ApiNode['labels'];
  readonly counts: ApiNode['counts'];
}

/** A node's rendered pairs and what they were rendered from. */
interface Fragment {
  readonly shown: Shown;
  /** `,` then the node's pairs as JSON array elements (UTF-8). */
  readonly bytes: Buffer;
}

/** The nodes as last given, their sort names, and the natural order built from them. */
interface SortedNodes {
  readonly from: readonly ApiNode[];
  readonly names: readonly string[];
  readonly sorted: ApiNode[];
}

function shown(n: ApiNode): Shown {
  return {
    id: n.id,
    name: n.name,
    addr: n.addr,
    state: n.state,
    error: n.error,
    updatedAt: n.updatedAt,
    serverVersion: n.serverVersion,
    availability: n.availability,
    usedCpus: n.usedCpus,
    totalCpus: n.totalCpus,
    usedMemory: n.usedMemory,
    totalMemory: n.totalMemory,
    labels: n.labels,
    counts: n.counts,
  };
}

/**
 * True when nothing a node's pairs show changed since `s`. Compares field by field without building anything: at
 * 5,000 nodes this check runs 5,000 times per `/info`.
 */
function unchanged(s: Shown, n: ApiNode): boolean {
  return (
    s.updatedAt === n.updatedAt &&
    s.counts === n.counts &&
    s.state === n.state &&
    s.error === n.error &&
    s.usedCpus === n.usedCpus &&
    s.usedMemory === n.usedMemory &&
    s.availability === n.availability &&
    s.labels === n.labels &&
    s.id === n.id &&
    s.name === n.name &&
    s.addr === n.addr &&
    s.serverVersion === n.serverVersion &&
    s.totalCpus === n.totalCpus &&
    s.totalMemory === n.totalMemory
  );
}

/**
 * Renders the `/info` body as UTF-8 JSON. The per-node part of `SystemStatus` dominates it (nine pairs per node:
 * 9,000 at 1,000 nodes), so each node's pairs are kept as encoded bytes and rendered again only when something
 * they show changed; the natural-order sort of the nodes is kept until a node's name or the node set changes. A
 * body is then the cached buffers in order. A renderer belongs to one cluster and holds no I/O.
 */
export class InfoRenderer {
  private readonly fragments = new WeakMap<ApiNode, Fragment>();
  private order: SortedNodes = { from: [], names: [], sorted: [] };

  /**
   * The whole `/info` body (docs/behaviour/info.md), JSON in UTF-8, as chunks to write in order: the kept
   * per-node buffers are written as they are, so a call allocates no body-sized buffer (at 1,000 nodes a 500
   * KB copy per call made V8 run a full collection every ~130 calls for the external memory alone).
   */
  render(cluster: ApiCluster, manager: ManagerInfo, version: string): Buffer[] {
    const nodes = cluster.nodes();
    const fields = JSON.stringify(infoFields(cluster, nodes, manager, version));
    const header = JSON.stringify(headerPairs(cluster, manager, nodes.length)).slice(1, -1);
    const parts: Buffer[] = [Buffer.from(`${fields.slice(0, -1)},"SystemStatus":[${header}`)];
    for (const n of this.sorted(nodes)) parts.push(this.fragment(n));
    parts.push(Buffer.from(']}'));
    return parts;
  }

  private fragment(n: ApiNode): Buffer {
    const old = this.fragments.get(n);
    if (old && unchanged(old.shown, n)) return old.bytes;
    const now = shown(n);
    const bytes = Buffer.from(`,${JSON.stringify(nodePairs(n)).slice(1, -1)}`);
    this.fragments.set(n, { shown: now, bytes });
    return bytes;
  }

  /** Nodes in natural name order; the last order is reused while the same nodes carry the same names. */
  private sorted(nodes: readonly ApiNode[]): ApiNode[] {
    const names = nodes.map((n) => n.name || n.addr);
    const last = this.order;
    if (
      last.from.length === nodes.length &&
      nodes.every((n, i) => n === last.from[i] && names[i] === last.names[i])
    )
      return last.sorted;
    const index = new Map(nodes.map((n, i) => [n, names[i] as string]));
    const sorted = [...nodes].sort((a, b) => naturalCompare(index.get(a) ?? '', index.get(b) ?? ''));
    this.order = { from: [...nodes], names, sorted };
    return sorted;
  }
}
