import type { PlacementExplanation } from '../../scheduler/explanation.js';
import type { CreateBody } from '../../scheduler/request.js';
import type { ExtraNetwork } from './policy.js';

/** A node's availability (Swarm mode's words): `pause` takes no new containers, `drain` also moves them away. */
export type NodeAvailability = 'active' | 'pause' | 'drain';

/** The availabilities a node can be set to. */
export const AVAILABILITIES: readonly NodeAvailability[] = ['active', 'pause', 'drain'];

/** What the store keeps per node (by engine ID). */
export interface NodeRecord {
  readonly availability: NodeAvailability;
  /** Epoch ms of the last change. */
  readonly updatedAt: number;
}

/** Where a container runs: the engine's ID, name and address when it was recorded. */
export interface RecordedNode {
  readonly id: string;
  readonly name: string;
  readonly addr: string;
}

/** A copy left behind on a node that failed: the node may come back with it (the container moved elsewhere). */
export interface StaleCopy {
  readonly node: RecordedNode;
  /** The engine's ID of the copy left there. */
  readonly containerId: string;
  /** Epoch ms of the move that left it. */
  readonly since: number;
}

/**
 * The desired state of one container that has a reschedule policy, keyed by its swarm ID: enough to create it again
 * elsewhere with the same name, config and swarm ID, and whether it should be running.
 */
export interface DesiredContainer {
  readonly swarmId: string;
  /** Name without the leading `/`. */
  readonly name: string;
  /** The engine's ID of the current copy. */
  readonly containerId: string;
  readonly node: RecordedNode;
  /** Whether it should run (it was running when last seen on a live node). */
  readonly running: boolean;
  /** The create body (see `recreateSpec`). */
  readonly config: CreateBody;
  readonly networks: readonly ExtraNetwork[];
  /** Epoch ms of the last change. */
  readonly updatedAt: number;
  /**
   * Why the current copy is on its node, when the manager that placed it kept the explanation (its node list
   * bounded, see `boundedExplanation`): `GET /shoal/v1/placements/{container}` answers from here on every primary.
   */
  readonly placement?: PlacementExplanation;
  /** Copies left on failed nodes by earlier moves, not yet seen removed (absent: none). */
  readonly staleCopies?: readonly StaleCopy[];
}

/**
 * What is kept of a container removed by its user while copies of it were left on failed nodes: a node coming back
 * with one of those copies has it removed, where a copy with no record would otherwise be adopted.
 */
export interface RemovedContainer {
  readonly swarmId: string;
  readonly name: string;
  /** Epoch ms of the removal. */
  readonly removedAt: number;
  readonly staleCopies: readonly StaleCopy[];
}

/** A stored value with its version: an opaque text that changes on every write (etcd's mod revision). */
export interface Versioned<T> {
  readonly value: T;
  readonly version: string;
}

/**
 * Expected version of a conditional write: a version from a read, `null` for "must not exist yet", undefined for
 * an unconditional write.
 */
export type Expected = string | null | undefined;

/**
 * The cluster's self-healing state: desired containers and node availability. With etcd discovery it lives in etcd
 * (`durable`), so a newly elected primary knows the containers of hosts it never saw; otherwise it lives in this
 * manager's memory and is lost with it. Writes are refused (`NotPrimaryError`) when the store is guarded by the
 * leader lease and this manager does not hold it. Conditional writes resolve to the new version, or undefined when
 * the stored version was not the expected one.
 */
export interface ClusterStateStore {
  /** True when the state outlives this manager (etcd). */
  readonly durable: boolean;
  containers(): Promise<Map<string, Versioned<DesiredContainer>>>;
  putContainer(rec: DesiredContainer, expected: Expected): Promise<string | undefined>;
  removeContainer(swarmId: string, expected: Expected): Promise<boolean>;
  nodes(): Promise<Map<string, Versioned<NodeRecord>>>;
  putNode(id: string, rec: NodeRecord, expected: Expected): Promise<string | undefined>;
  /** Removed containers with copies still out on failed nodes, by swarm ID. */
  removed(): Promise<Map<string, RemovedContainer>>;
  putRemoved(rec: RemovedContainer): Promise<void>;
  forgetRemoved(swarmId: string): Promise<void>;
  close(): Promise<void>;
}

/** The store of the non-KV modes (`nodes://`, `file://`, `shoal://`): this manager's memory, lost with it. */
export class MemoryStateStore implements ClusterStateStore {
  readonly durable = false;
  private readonly byId = new Map<string, Versioned<DesiredContainer>>();
  private readonly nodeMap = new Map<string, Versioned<NodeRecord>>();
  private readonly removedMap = new Map<string, RemovedContainer>();
  private revision = 0;

  async containers(): Promise<Map<string, Versioned<DesiredContainer>>> {
    return new Map(this.byId);
  }

  async putContainer(rec: DesiredContainer, expected: Expected): Promise<string | undefined> {
    return this.write(this.byId, rec.swarmId, rec, expected);
  }

  async removeContainer(swarmId: string, expected: Expected): Promise<boolean> {
    if (!matches(this.byId.get(swarmId)?.version, expected)) return false;
    this.byId.delete(swarmId);
    return true;
  }

  async nodes(): Promise<Map<string, Versioned<NodeRecord>>> {
    return new Map(this.nodeMap);
  }

  async putNode(id: string, rec: NodeRecord, expected: Expected): Promise<string | undefined> {
    return this.write(this.nodeMap, id, rec, expected);
  }

  async removed(): Promise<Map<string, RemovedContainer>> {
    return new Map(this.removedMap);
  }

  async putRemoved(rec: RemovedContainer): Promise<void> {
    this.removedMap.set(rec.swarmId, rec);
  }

  async forgetRemoved(swarmId: string): Promise<void> {
    this.removedMap.delete(swarmId);
  }

  async close(): Promise<void> {}

  private write<T>(
    map: Map<string, Versioned<T>>,
    key: string,
    value: T,
    expected: Expected,
  ): string | undefined {
    if (!matches(map.get(key)?.version, expected)) return undefined;
    const version = String(++this.revision);
    map.set(key, { value, version });
    return version;
  }
}

function matches(current: string | undefined, expected: Expected): boolean {
  if (expected === undefined) return true;
  if (expected === null) return current === undefined;
  return current === expected;
}
