import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { EngineImageNotFoundError, EnginePullDeniedError } from '../engine/errors.js';
import { explainDecision, type PlacementExplanation } from '../scheduler/explanation.js';
import { imageMatches } from '../scheduler/lookup.js';
import { buildPlacementRequest, type CreateBody } from '../scheduler/request.js';
import { decideAndReserve, type Reservation, ReservationBook } from '../scheduler/reservations.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { Decision, NodeSnapshot, PlacementRequest } from '../scheduler/types.js';
import type { Clock } from '../util/clock.js';
import { asError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import type { NameLookup } from './container-directory.js';
import type { Engine } from './engine.js';
import { ChosenNodeGoneError, NameConflictError, NoNodeAvailableError } from './errors.js';
import { pullImage } from './image-pull.js';
import type { SnapshotCache } from './snapshot-cache.js';
import { engineCreateBody, stripNodePrefixes } from './swarm-config.js';

/** The scheduler as placement uses it (pure: snapshots in, decision out). */
export type PlacementScheduler = Pick<Scheduler, 'decide' | 'rejectionsOf' | 'strategy' | 'filterNames'>;

/**
 * What a {@link Placement} is built from. The engine map, name lookup and snapshot cache are the cluster's own,
 * live.
 */
export interface PlacementOptions {
  readonly scheduler: PlacementScheduler;
  /** Every engine by address (pending ones included); only validated ones are placement candidates. */
  readonly engines: ReadonlyMap<string, Engine>;
  /** Cached containers by name across engines (the cluster's `ContainerDirectory`). */
  readonly names: NameLookup<Engine>;
  readonly snapshots: SnapshotCache;
  /** `swarm.createretry`: extra attempts after a failed container create (default 0). */
  readonly createRetry?: number;
  /**
   * How many explanations of container placements are kept (default 256, the oldest dropped first): bounds the
   * memory they take. A kept one lists the chosen, ranked and rejected nodes; its summary counts the others.
   */
  readonly keepExplanations?: number;
  readonly rng: Rng;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Called with every scheduling decision a placement acts on and the time the decision step took (metrics). A
   * {@link Placement.plan} is not one: it decides nothing.
   */
  readonly onDecision?: (decision: Decision, seconds: number) => void;
}

/** How one placement may be steered. */
export interface PlaceOptions {
  /** Engine IDs never chosen (rescheduling away from a failed node, draining one). */
  readonly exclude?: readonly string[];
  /**
   * Hold the request's CPU, memory, ports and name on the chosen node while the work runs (default true). Work that
   * creates no container (build, network create, search) passes false, so it counts for nothing on the node.
   */
  readonly reserve?: boolean;
  /**
   * What the work is, for the error when the chosen node is gone before it starts ({@link ChosenNodeGoneError}):
   * `create` (a container create, the default when reserving) or `other`.
   */
  readonly work?: 'create' | 'other';
}

/** Options of {@link Placement.createContainer}. */
export interface CreateOptions extends PlaceOptions {
  /** The client's raw `X-Registry-Auth` header, forwarded to auto-pulls. */
  readonly registryAuth?: string;
  /** Keep this swarm ID (a container re-created elsewhere keeps its identity); default a new random one. */
  readonly swarmId?: string;
}

/**
 * Where a create's time went, over all its attempts: the scheduling step (name check, snapshots, decision and
 * reservation, all synchronous) and the engine calls (create, plus any auto-pull). Measured for reporting only
 * (the API sends it as a `Server-Timing` header); nothing decides on it.
 */
export interface CreateTiming {
  scheduleMs: number;
  engineMs: number;
  attempts: number;
}

/** A created container. */
export interface CreateResult {
  /** The engine's container ID. */
  readonly Id: string;
  /** Warnings the engine returned. */
  readonly Warnings: string[];
  /** The engine it was created on. */
  readonly node: Engine;
  /** The swarm ID it carries (`com.docker.swarm.id`). */
  readonly swarmId: string;
  readonly timing: CreateTiming;
}

/** What {@link Placement.place} resolves to. */
export interface Placed<T> {
  readonly engine: Engine;
  readonly value: T;
  readonly decision: Decision & { ok: true };
  /** The snapshots the decision was made from (the pending containers of other placements added to them). */
  readonly nodes: readonly NodeSnapshot[];
  /** When the decision was made (ms since the epoch, the placement's clock). */
  readonly at: number;
}

/**
 * A placement kept for its explanation: the request, the decision without its rejections, the snapshots it was made
 * from, and when. The rejections (one per node a filter turned down: thousands on a large cluster when a constraint
 * narrows the choice) are made again from the request and the snapshots when the explanation is read: kept with
 * every decision, they outlived the young generation and made its collections pause the manager for tens of ms.
 */
interface KeptPlacement {
  readonly request: PlacementRequest;
  readonly decision: Decision & { ok: true };
  readonly nodes: readonly NodeSnapshot[];
  readonly at: number;
}

/** The work run on the chosen engine, and optionally what the reservation waits for after it succeeded. */
export interface PlacementWork<T> {
  run(engine: Engine): Promise<T>;
  /**
   * Runs after `run` succeeded; the reservation is held until it settles (a container create waits for the engine's
   * view of the new container, so no snapshot misses it). Errors are ignored.
   */
  settle?(engine: Engine, value: T): Promise<unknown>;
}

/** The engine lacks the image and could not get it: the case for Swarm's retry with image affinity. */
function isImageMissing(err: unknown): boolean {
  return err instanceof EngineImageNotFoundError || err instanceof EnginePullDeniedError;
}

/**
 * Placement (docs/behaviour/scheduling.md#pipeline, docs/behaviour/create.md): the one step that puts work on a node. {@link place} decides, reserves, runs the work
 * on the chosen engine and releases the reservation exactly once, whether the work succeeds or fails; every
 * placement goes through it (`docker run` create, build, network create, rescheduling, drain). The decision, name
 * check and reservation happen in one synchronous step, so parallel placements see each other's reservations.
 * {@link createContainer} is the container create flow on top of it.
 */
export class Placement {
  /** The book of in-flight placements (pending containers on their nodes). */
  readonly book = new ReservationBook();
  readonly createRetry: number;
  /** Engine IDs whose availability is `pause` or `drain`: nothing new is placed there. */
  private readonly unavailable = new Set<string>();
  /**
   * Recent container placements by container ID, oldest first (a bounded LRU), kept as the decision and the
   * snapshots it was made from: the explanation is built only when asked for ({@link explanationOf}), as building it
   * walks every node. A kept record holds one array of snapshot references; the snapshots themselves are mostly the
   * current ones, shared with the snapshot cache.
   */
  private readonly explanations = new Map<string, KeptPlacement>();

  constructor(private readonly opts: PlacementOptions) {
    this.createRetry = opts.createRetry ?? 0;
  }

  /** True for a validated engine (healthy or unhealthy) that is still a member. */
  private readonly isCandidate = (e: Engine): boolean => e.active && this.opts.engines.get(e.addr) === e;

  /** Validated engines (healthy or unhealthy), in discovery order. */
  private candidates(): Engine[] {
    const out: Engine[] = [];
    for (const e of this.opts.engines.values()) if (e.active) out.push(e);
    return out;
  }

  /** Snapshots of every validated engine, less paused, drained and excluded ones, without reservations. */
  private rawSnapshots(exclude: readonly string[] = []): NodeSnapshot[] {
    const raw: NodeSnapshot[] = [];
    const skip = this.unavailable.size > 0 || exclude.length > 0;
    for (const e of this.opts.engines.values()) {
      if (!e.active || (skip && (this.unavailable.has(e.id) || exclude.includes(e.id)))) continue;
      raw.push(this.opts.snapshots.get(e));
    }
    return raw;
  }

  /**
   * Marks a node (by engine ID) as taking new containers (`active`) or not (`pause`, `drain`): paused and drained
   * nodes are left out of every placement's candidates.
   */
  setAllowed(engineId: string, allowed: boolean): void {
    if (allowed) this.unavailable.delete(engineId);
    else this.unavailable.add(engineId);
  }

  /** False when the node (engine ID) is paused or drained. */
  allowed(engineId: string): boolean {
    return !this.unavailable.has(engineId);
  }

  /**
   * The scheduler's view now: every validated engine's snapshot with the reservations held on it, less the
   * excluded engines.
   */
  snapshots(exclude: readonly string[] = []): NodeSnapshot[] {
    return this.book.apply(this.rawSnapshots(exclude));
  }

  /**
   * The placement request of work that creates no container (build, network create, search), read from env-style
   * entries as for a container (`constraint:region==eu`, `affinity:image==x`; docs/behaviour/scheduling.md#pipeline). Throws the scheduler's
   * `InvalidExpressionError` (400).
   */
  requestFromEnv(env: readonly string[]): PlacementRequest {
    return buildPlacementRequest({ Image: '', Env: [...env] }, undefined, this.opts.rng).request;
  }

  /**
   * What the scheduler would decide for a container create body now, explained node by node (every eligible node
   * scored); nothing is reserved or created and the name is not checked. Throws the scheduler's
   * `InvalidExpressionError` (400) or `InvalidReschedulePolicyError` (500) for a bad body.
   */
  plan(body: CreateBody, opts: PlaceOptions = {}): PlacementExplanation {
    const { request } = buildPlacementRequest(body, undefined, this.opts.rng);
    const nodes = this.snapshots(opts.exclude);
    const decision = this.opts.scheduler.decide(request, nodes, { rankingLimit: Number.POSITIVE_INFINITY });
    return this.explain(decision, nodes, this.opts.clock.now());
  }

  /** The explanation of the placement that created container `id` (full ID), while it is among the kept ones. */
  explanationOf(id: string): PlacementExplanation | undefined {
    const kept = this.explanations.get(id);
    if (!kept) return undefined;
    const rejections = this.opts.scheduler.rejectionsOf(kept.request, kept.nodes, kept.decision.pass);
    return this.explain({ ...kept.decision, rejections }, kept.nodes, kept.at, id);
  }

  private explain(
    decision: Decision,
    nodes: readonly NodeSnapshot[],
    atMs: number,
    container?: string,
  ): PlacementExplanation {
    return explainDecision(decision, nodes, {
      ...(container ? { scoredOnly: true } : {}),
      strategy: this.opts.scheduler.strategy.name,
      filters: this.opts.scheduler.filterNames,
      at: new Date(atMs).toISOString(),
      ...(container ? { container } : {}),
    });
  }

  private remember(id: string, kept: KeptPlacement): void {
    this.explanations.delete(id);
    this.explanations.set(id, { ...kept, decision: { ...kept.decision, rejections: [] } });
    const keep = this.opts.keepExplanations ?? 256;
    for (const oldest of this.explanations.keys()) {
      if (this.explanations.size <= keep) break;
      this.explanations.delete(oldest);
    }
  }

  /**
   * The one placement step: cluster-wide name check (when `request.name` is set, in-flight creates included) →
   * decision → reservation (unless `reserve: false`) → `work.run(engine)` → release (after `work.settle` when given).
   * Throws {@link NameConflictError} (409), {@link NoNodeAvailableError} (500, the scheduler's explanation),
   * {@link ChosenNodeGoneError} (500, the chosen node left before the work began), or what the work threw (the
   * reservation is then already released).
   */
  async place<T>(
    request: PlacementRequest,
    work: PlacementWork<T>,
    opts: PlaceOptions = {},
  ): Promise<Placed<T>> {
    const at = this.opts.clock.now();
    const { engine, decision, reservation, nodes } = this.reserve(request, opts);
    let value: T;
    try {
      value = await work.run(engine);
    } catch (err) {
      reservation?.release();
      throw err;
    }
    if (work.settle && reservation) {
      work
        .settle(engine, value)
        .catch(() => undefined)
        .finally(() => reservation.release());
    } else reservation?.release();
    return { engine, value, decision, nodes, at };
  }

  /** Name check, decision and reservation in one synchronous step. */
  private reserve(
    request: PlacementRequest,
    opts: PlaceOptions,
  ): {
    engine: Engine;
    decision: Decision & { ok: true };
    reservation: Reservation | undefined;
    nodes: readonly NodeSnapshot[];
  } {
    const name = request.name;
    if (name) {
      const holder = this.opts.names.holder(name, this.isCandidate);
      if (holder) throw new NameConflictError(name, holder.container.info.Id);
      if (this.book.nameHolder(name)) throw new NameConflictError(name, '');
    }
    const raw = this.rawSnapshots(opts.exclude);
    const started = performance.now();
    let decided: {
      decision: Decision;
      reservation?: Reservation | undefined;
      nodes: readonly NodeSnapshot[];
    };
    if (opts.reserve === false) {
      const nodes = this.book.apply(raw);
      decided = { decision: this.opts.scheduler.decide(request, nodes), nodes };
    } else decided = decideAndReserve(this.opts.scheduler, this.book, request, raw);
    const { decision, reservation, nodes } = decided;
    this.opts.onDecision?.(decision, (performance.now() - started) / 1000);
    if (!decision.ok) throw new NoNodeAvailableError(decision.message, decision.rejections);
    const engine = this.opts.engines.get(decision.node.addr);
    if (!engine?.active) {
      reservation?.release();
      throw new ChosenNodeGoneError(
        decision.node.addr,
        opts.work ?? (opts.reserve === false ? 'other' : 'create'),
      );
    }
    return { engine, decision, reservation, nodes };
  }

  /**
   * Creates a container through the scheduler (docs/behaviour/create.md): the placement request is built once from `body`; then
   * {@link place} with the engine create (auto-pull and retry once when the image is missing). On an image-missing
   * failure without a `node==` constraint, when a healthy node has the image, retries once with an
   * `image==<image>` affinity; then up to `createRetry` plain retries (name conflicts are never retried). `name`
   * may be undefined. Throws `NameConflictError` (409), `NoNodeAvailableError` (500), the scheduler's
   * `InvalidReschedulePolicyError` (400) / `InvalidExpressionError` (400), or the engine's own error.
   */
  async createContainer(
    body: CreateBody,
    name: string | undefined,
    opts: CreateOptions = {},
  ): Promise<CreateResult> {
    const cleanName = name?.replace(/^\//, '') || undefined;
    const built = buildPlacementRequest(body, cleanName, this.opts.rng, { swarmId: opts.swarmId });
    // asked only for a network name with a slash: most creates never walk the engines for it
    const nodeNames = { has: (n: string) => this.candidates().some((e) => e.name === n) };
    const engineBody = stripNodePrefixes(built.body, nodeNames);
    const timing: CreateTiming = { scheduleMs: 0, engineMs: 0, attempts: 0 };
    const attempt = async (request: PlacementRequest): Promise<CreateResult> => {
      timing.attempts++;
      const placed = await this.timedPlace(request, engineBody, cleanName, opts, timing);
      const created = placed.value;
      this.remember(created.Id, { request, decision: placed.decision, nodes: placed.nodes, at: placed.at });
      return {
        Id: created.Id,
        Warnings: created.Warnings ?? [],
        node: placed.engine,
        swarmId: built.swarmId,
        timing,
      };
    };
    const request = built.request;
    let err: unknown;
    let retries = 0;
    try {
      return await attempt(request);
    } catch (first) {
      if (first instanceof NameConflictError) throw first;
      err = first;
    }
    const pinned = request.constraints.some((c) => c.key === 'node' && c.op === '==');
    if (isImageMissing(err) && !pinned && this.someNodeHasImage(request.image)) {
      retries++;
      this.opts.logger.info(
        { image: request.image, err: asError(err).message },
        'Image missing, retrying with image affinity',
      );
      const affinity = {
        key: 'image',
        op: '==' as const,
        value: request.image,
        soft: false,
        text: `image==${request.image}`,
      };
      try {
        return await attempt({ ...request, affinities: [...request.affinities, affinity] });
      } catch (e) {
        err = e;
      }
    }
    for (; retries < this.createRetry; retries++) {
      if (err instanceof NameConflictError) break;
      this.opts.logger.warn({ err: asError(err).message }, 'Failed to create container, retrying');
      try {
        return await attempt(request);
      } catch (e) {
        err = e;
      }
    }
    throw err;
  }

  /** One create attempt through {@link place}, its scheduling and engine time added to `timing`. */
  private async timedPlace(
    request: PlacementRequest,
    engineBody: CreateBody,
    name: string | undefined,
    opts: CreateOptions,
    timing: CreateTiming,
  ): Promise<Placed<{ Id: string; Warnings?: string[] | null }>> {
    const scheduleStart = performance.now();
    let engineStart = 0;
    let sent: CreateBody = engineBody;
    try {
      return await this.place(
        request,
        {
          run: (engine) => {
            engineStart = performance.now();
            timing.scheduleMs += engineStart - scheduleStart;
            sent = engineCreateBody(engineBody, engine.cpus);
            return createOn(engine, sent, name, opts.registryAuth);
          },
          // Answer at once: a provisional cache entry serves lookups (e.g. the start that follows `docker run`),
          // while the engine's view is fetched in the background; the reservation holds until then.
          settle: (engine, created) => {
            engine.cache.addProvisional(created.Id, name, sent, this.opts.clock.now());
            return engine.cache.refreshContainer(created.Id);
          },
        },
        opts,
      );
    } finally {
      if (engineStart === 0) timing.scheduleMs += performance.now() - scheduleStart;
      else timing.engineMs += performance.now() - engineStart;
    }
  }

  private someNodeHasImage(image: string): boolean {
    return this.candidates().some(
      (e) => e.state === 'healthy' && e.cache.images().some((i) => imageMatches(i, image)),
    );
  }
}

async function createOn(
  engine: Engine,
  body: CreateBody,
  name: string | undefined,
  registryAuth: string | undefined,
): Promise<{ Id: string; Warnings?: string[] | null }> {
  const call = () =>
    engine.client.json<{ Id: string; Warnings?: string[] | null }>('POST', '/containers/create', body, {
      query: name ? { name } : {},
    });
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof EngineImageNotFoundError) || !body.Image) throw err;
    try {
      await pullImage(engine.client, body.Image, registryAuth);
    } catch (pullErr) {
      // Keep the engine's "No such image" as the outcome (so the image-affinity retry can apply), with the pull's cause.
      throw new EngineImageNotFoundError(404, `${err.message} (pull failed: ${asError(pullErr).message})`, {
        cause: pullErr,
      });
    }
    await engine.cache.refreshImages().catch(() => undefined);
    return await call();
  }
}
