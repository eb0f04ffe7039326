import { SWARM_ID_LABEL } from './lookup.js';
import type { Scheduler } from './scheduler.js';
import type { ContainerSnapshot, Decision, NodeSnapshot, PlacementRequest } from './types.js';

/** A pending container held on one node until its create finishes. */
export interface Reservation {
  /** Pending container ID (the swarm ID when the request carries one). */
  readonly id: string;
  readonly nodeId: string;
  /** The pending container as filters and strategies see it. */
  readonly container: ContainerSnapshot;
  /** Removes the reservation. Idempotent: only the first call has an effect; returns whether it did. */
  release(): boolean;
}

/**
 * The book of pending containers ("reserve before I/O, release on failure"): every create in flight holds its CPU,
 * memory, ports, name and labels on the chosen node, so concurrent creates see each other. Pure data; in
 * single-threaded JavaScript no lock is needed as long as the decision and the reservation happen in one
 * synchronous step ({@link decideAndReserve}).
 */
export class ReservationBook {
  readonly #byNode = new Map<string, Map<string, ContainerSnapshot>>();
  #seq = 0;

  /** Number of reservations held. */
  get size(): number {
    let n = 0;
    for (const m of this.#byNode.values()) n += m.size;
    return n;
  }

  /**
   * Reserves `req` on node `nodeId`. The pending container's ID is the request's `com.docker.swarm.id` label when
   * present (so `apply` can drop it once the engine reports the real container), else a book-local ID.
   */
  reserve(nodeId: string, req: PlacementRequest): Reservation {
    const id = req.labels[SWARM_ID_LABEL] ?? `pending-${++this.#seq}`;
    const container: ContainerSnapshot = {
      id,
      names: req.name ? [req.name] : [],
      image: req.image,
      imageId: '',
      labels: req.labels,
      state: 'pending',
      networkMode: req.networkMode,
      requestedPorts: req.portBindings,
      publishedPorts: [],
      exposedPorts: req.exposedPorts,
      cpus: req.cpus,
      memory: req.memory,
    };
    let held = this.#byNode.get(nodeId);
    if (!held) {
      held = new Map();
      this.#byNode.set(nodeId, held);
    }
    // A second reservation with the same ID on a node would shadow the first; give it a distinct key.
    const key = held.has(id) ? `${id}#${++this.#seq}` : id;
    held.set(key, container);
    let released = false;
    return {
      id,
      nodeId,
      container,
      release: () => {
        if (released) return false;
        released = true;
        const m = this.#byNode.get(nodeId);
        m?.delete(key);
        if (m?.size === 0) this.#byNode.delete(nodeId);
        return true;
      },
    };
  }

  /**
   * The pending container holding `name` (a leading `/` is ignored), with its node ID: the in-flight half of the
   * cluster-wide name check. Scans reservations only, never the nodes' containers.
   */
  nameHolder(name: string): { nodeId: string; container: ContainerSnapshot } | undefined {
    const bare = name.startsWith('/') ? name.slice(1) : name;
    if (bare === '') return undefined;
    for (const [nodeId, held] of this.#byNode) {
      for (const container of held.values()) if (container.names.includes(bare)) return { nodeId, container };
    }
    return undefined;
  }

  /** Pending containers of one node. */
  pendingOn(nodeId: string): ContainerSnapshot[] {
    return [...(this.#byNode.get(nodeId)?.values() ?? [])];
  }

  /**
   * Snapshots with pending containers added (state `pending`). Nodes without reservations are returned as they
   * are (same objects). A pending container is skipped when the node already reports a container with the same
   * swarm ID (the create finished before the reservation was released), so nothing is counted twice.
   */
  apply(nodes: readonly NodeSnapshot[]): NodeSnapshot[] {
    if (this.#byNode.size === 0) return nodes.slice();
    return nodes.map((node) => {
      const held = this.#byNode.get(node.id);
      if (!held || held.size === 0) return node;
      const ids = reported(node);
      let extra: ContainerSnapshot[] | undefined;
      for (const p of held.values()) {
        if (ids.has(p.id)) continue;
        extra ??= [];
        extra.push(p);
      }
      return extra === undefined ? node : { ...node, containers: [...node.containers, ...extra] };
    });
  }
}

/** Per node snapshot, the IDs and swarm IDs of the containers it reports (snapshots are immutable). */
const reportedIds = new WeakMap<NodeSnapshot, ReadonlySet<string>>();

/**
 * The IDs and swarm IDs a node snapshot reports, built once per snapshot: a node under concurrent creates holds
 * several reservations, and each decision checked each of them against every container of the node.
 */
function reported(node: NodeSnapshot): ReadonlySet<string> {
  let ids = reportedIds.get(node);
  if (!ids) {
    const set = new Set<string>();
    for (const c of node.containers) {
      set.add(c.id);
      const swarmId = c.labels[SWARM_ID_LABEL];
      if (swarmId !== undefined) set.add(swarmId);
    }
    ids = set;
    reportedIds.set(node, ids);
  }
  return ids;
}

/** Result of {@link decideAndReserve}: the decision, and the reservation when a node was chosen. */
export type ReservedDecision = (
  | { readonly decision: Decision & { ok: true }; readonly reservation: Reservation }
  | { readonly decision: Decision & { ok: false }; readonly reservation?: undefined }
) & {
  /** The snapshots the decision was made from: `nodes` with the book's pending containers added. */
  readonly nodes: readonly NodeSnapshot[];
};

/**
 * Decides and reserves in one synchronous step: applies the book's pending containers to `nodes`, asks the
 * scheduler, and on success reserves the request on the chosen node (the cluster's placement step does exactly this). The caller must `release()` the reservation
 * once the engine create has succeeded (and the container is in the node's cache) or failed.
 */
export function decideAndReserve(
  scheduler: Pick<Scheduler, 'decide'>,
  book: ReservationBook,
  req: PlacementRequest,
  nodes: readonly NodeSnapshot[],
): ReservedDecision {
  const applied = book.apply(nodes);
  const decision = scheduler.decide(req, applied);
  if (!decision.ok) return { decision, nodes: applied };
  return { decision, reservation: book.reserve(decision.node.id, req), nodes: applied };
}
