import type { CreateTiming } from '../cluster/index.js';
import type { EngineClient } from '../engine/index.js';
import type { PlacementExplanation } from '../scheduler/explanation.js';
import type { CreateBody } from '../scheduler/request.js';
import type { NodeState } from '../scheduler/types.js';

/**
 * What the API layer needs from the cluster, kept narrow so the routes can be tested with plain data. The manager
 * wires it to `src/cluster` through {@link ClusterAdapter}-style code in `adapter.ts`; nothing here does I/O.
 */

/** Counts of a node's containers by state. */
export interface ContainerCounts {
  readonly total: number;
  readonly running: number;
  readonly paused: number;
  readonly stopped: number;
}

/** One engine as the API sees it. */
export interface ApiNode {
  /** Engine ID (from the engine's `/info`); empty while pending. */
  readonly id: string;
  /** Engine name (hostname); empty while pending. */
  readonly name: string;
  /** `host:port` from discovery. */
  readonly addr: string;
  /** IP part of `addr`. */
  readonly ip: string;
  readonly state: NodeState;
  /** Last connection error text, empty when none. */
  readonly error: string;
  /** Epoch ms of the last successful refresh. */
  readonly updatedAt: number;
  /** `active`, `pause` or `drain` when the manager keeps node availability (shown in `docker info`). */
  readonly availability?: string;
  /** Engine version (`20.10.24`). */
  readonly serverVersion: string;
  /** CPUs and memory including overcommit. */
  readonly totalCpus: number;
  readonly totalMemory: number;
  /** CPUs and memory reserved by containers. */
  readonly usedCpus: number;
  readonly usedMemory: number;
  /** The node's cached containers by state; the same object until a count changes. */
  readonly counts: ContainerCounts;
  /** Engine labels plus the built-ins, as `docker info` prints them. */
  readonly labels: Readonly<Record<string, string>>;
  /** The client that reaches this engine (pooled; never create one per request). */
  readonly client: EngineClient;
  /** Recent container inspect answers of this engine, kept while its events show no change. */
  readonly inspects: InspectStore;
}

/**
 * Stored container inspect answers of one engine (`src/cluster/inspect-cache.ts`): a `ticket` taken before the
 * engine call, `put` after it (ignored when something changed meanwhile), `forget` on every change made through the
 * manager.
 */
export interface InspectStore {
  get(path: string): string | undefined;
  ticket(): number;
  put(ticket: number, id: string, path: string, text: string): void;
  forget(id: string): void;
}

/** A container summary as the engine's `GET /containers/json?all=1` returns it, plus where it lives. */
export interface ApiContainer {
  readonly node: ApiNode;
  /** Full container ID. */
  readonly id: string;
  /** The engine's summary JSON (Names with leading `/`, Created in seconds, State, Status, Labels, Ports ...). */
  readonly summary: EngineContainerSummary;
  /**
   * The engine's creation time (inspect `Created`, RFC 3339 with nanoseconds) when known: it orders containers
   * created in the same second as the engine orders them.
   */
  readonly created?: string;
}

/** The fields of an engine container summary the API reads; the rest passes through untouched. */
export interface EngineContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID?: string;
  Created: number;
  State: string;
  Status: string;
  Labels: Record<string, string> | null;
  Ports?: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
  Mounts?: { Name?: string; Source?: string; Destination?: string }[];
  [key: string]: unknown;
}

/** A cluster event from an engine or from the manager itself. */
export interface ApiEvent {
  /**
   * The event JSON as clients get it: an engine's event with node information already added by the cluster
   * (docs/behaviour/events.md#node-information), or a manager event (`Type: swarm`).
   */
  readonly raw: Record<string, unknown>;
}

/** The scheduler configuration `docker info` prints. */
export interface ApiSchedulerInfo {
  readonly strategy: string;
  readonly filters: readonly string[];
}

/** The cluster as the API layer uses it. */
export interface ApiCluster {
  /** Every known engine (pending, healthy, unhealthy), in no particular order. */
  nodes(): readonly ApiNode[];
  /** Every cached container on every node. */
  containers(): readonly ApiContainer[];
  /**
   * Resolves a container reference with the rules of docs/behaviour/lookup.md#containers: ID or short ID,
   * `name`, `/name`, `<node>/name`, unique ID prefix. Undefined when nothing (or more than one thing)
   * matches.
   */
  container(ref: string): ApiContainer | undefined;
  /**
   * Schedules and creates a container (docs/behaviour/create.md): name check, placement, reservation, create,
   * retry. Resolves to the engine's answer plus the chosen node.
   * @throws ClusterError subclasses (409 name conflict, 500 no node fits with the explanation, engine errors).
   */
  createContainer(
    body: CreateBody,
    name: string,
    authHeader: string | undefined,
  ): Promise<{ Id: string; Warnings?: unknown; node: ApiNode; timing?: CreateTiming }>;
  /** Re-reads one container (after start/stop/rename...) or drops it when gone. */
  refreshContainer(node: ApiNode, id: string): Promise<void>;
  /** Re-reads a node's images, networks or volumes after a change made through the API. */
  refreshNode(node: ApiNode, what: 'containers' | 'images' | 'networks' | 'volumes'): Promise<void>;
  /**
   * Runs work that is not a container create (build, search, auth, network create) on a node the scheduler picks;
   * `constraints` are expressions like `node==n1`. Nothing is reserved on the node. Throws the scheduler's 500
   * when no node fits, or what `work` threw.
   */
  place<T>(constraints: readonly string[], work: (node: ApiNode) => Promise<T>): Promise<T>;
  /** The kept explanation of the placement that created container `id` (full ID), if this manager keeps one. */
  placementOf(id: string): PlacementExplanation | undefined;
  /** What the scheduler would decide for a container create body now; nothing is created or reserved. */
  plan(body: CreateBody): PlacementExplanation;
  /** Subscribes to the merged event stream; returns the unsubscribe function. */
  subscribe(listener: (event: ApiEvent) => void): () => void;
  /** Number of distinct images over all nodes (`Images` in `/info`); optional. */
  imageCount?(): number;
  /** Strategy and filter names. */
  scheduler(): ApiSchedulerInfo;
}
