import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiCluster } from './cluster-port.js';
import type { ExecLocations } from './exec-locations.js';

/** Manager-wide facts the routes read (version, options, start time). */
export interface ManagerInfo {
  /** `--experimental`. */
  readonly experimental: boolean;
  /** `--debug`. */
  readonly debug: boolean;
  /** Host name of the manager (`Name` in `/info`). */
  readonly hostname: string;
  /** Kernel version of the manager host. */
  readonly kernelVersion: string;
  /** `Role` line: `primary` or `replica`. */
  role(): 'primary' | 'replica';
  /** Advertised address of the primary (replica only). */
  primary(): string | undefined;
  /** Number of open `/events` listeners (kept by the events route). */
  eventListeners: number;
}

/** A node's availability (Swarm mode's words). */
export type ApiAvailability = 'active' | 'pause' | 'drain';

/** Progress of a node's drain, as `GET /shoal/v1/nodes` shows it. */
export interface ApiDrainStatus {
  readonly remaining: readonly string[];
  readonly moved: readonly string[];
  readonly staying: readonly { readonly name: string; readonly reason: string }[];
  readonly failed: readonly { readonly name: string; readonly reason: string }[];
  readonly done: boolean;
}

/** Node availability and self-healing state (the manager's rescheduler). */
export interface ApiNodeControl {
  /** Availability, version (`Version.Index`, 0 until first set) and last change (epoch ms, 0 when never set). */
  state(engineId: string): { availability: ApiAvailability; version: number; updatedAt: number };
  /** Sets the availability; with `version`, only when it is the current one (else a 409 error). */
  setAvailability(engineId: string, availability: ApiAvailability, version?: number): Promise<void>;
  /** Drain progress, undefined when the node is not draining. */
  drainStatus(engineId: string): ApiDrainStatus | undefined;
  /** Containers waiting to be rescheduled, with the reason. */
  pending(): readonly { name: string; node: string; reason: string; attempts: number; nextAt: number }[];
  /**
   * A container was removed through this manager: the container of that swarm ID is gone, whichever of its copies
   * the remove found (a move of it in progress, or a copy on a node that is down, goes too).
   */
  removed?(swarmId: string): void;
}

/** What every route handler can use. One instance per server, shared by all requests. */
export interface ApiDeps {
  readonly cluster: ApiCluster;
  /** Node availability and rescheduling state; absent in tests that do not need it (the node routes answer 503). */
  readonly nodeControl?: ApiNodeControl;
  readonly execs: ExecLocations;
  readonly manager: ManagerInfo;
}

/** One request as a route handler sees it. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Path without the `/vX.Y` prefix and without the query. */
  readonly path: string;
  /** `X.Y` when the client used a version prefix. */
  readonly version: string | undefined;
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly query: URLSearchParams;
  readonly deps: ApiDeps;
}

/** A route handler: writes the response or throws a ClusterError (rendered by the one error handler). */
export type RouteHandler = (ctx: RequestContext) => Promise<void>;

/** One row of the route table. */
export interface Route {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly handler: RouteHandler;
}
