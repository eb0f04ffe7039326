import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { EngineImageNotFoundError, EnginePullDeniedError } from '../engine/errors.js';
import { type BuiltRequest, type CreateBody, toEngineCreateBody } from '../scheduler/request.js';
import type { Reservation, ReservationBook } from '../scheduler/reservations.js';
import type { Decision, NodeSnapshot, PlacementRequest } from '../scheduler/types.js';
import { asError } from '../util/errors.js';
import type { Engine } from './engine.js';
import { NameConflictError, NoNodeAvailableError } from './errors.js';
import { pullImage } from './image-pull.js';
import { imageMatches, type NodeContainer, nameTaken } from './lookup.js';
import { stripNodePrefixes } from './swarm-config.js';

/** The scheduler as the create flow uses it (pure: snapshots in, decision out). */
export interface PlacementScheduler {
  decide(req: PlacementRequest, nodes: readonly NodeSnapshot[]): Decision;
}

/**
 * Builds the placement request and the cleaned engine body from a client's create body (the scheduler package's
 * `buildPlacementRequest` with the cluster's Rng bound).
 */
export type PlacementRequestBuilder = (body: CreateBody, name: string | undefined) => BuiltRequest;

/** What the create flow reads from the cluster. */
export interface CreateContext {
  /** Validated engines (healthy or unhealthy); the scheduler's health filter skips unhealthy ones. */
  activeEngines(): Engine[];
  /** Every cached container with its engine. */
  containers(): NodeContainer<Engine>[];
  /**
   * The container holding primary name `/name`, when the cluster keeps a name index (same answer as `nameTaken`
   * over {@link containers}); without it the flow scans {@link containers}.
   */
  nameHolder?(name: string): NodeContainer<Engine> | undefined;
  /** Snapshots of the active engines, without reservations (the book adds them). */
  snapshots(): NodeSnapshot[];
  readonly book: ReservationBook;
  readonly scheduler: PlacementScheduler;
  readonly buildRequest: PlacementRequestBuilder;
  /** `swarm.createretry`: extra attempts after a failed create. */
  readonly createRetry: number;
  readonly logger: Logger;
  /** Current time, ms (the cluster's Clock). */
  now(): number;
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
  readonly timing: CreateTiming;
}

/** The engine lacks the image and could not get it: the case for Swarm's retry with image affinity. */
function isImageMissing(err: unknown): boolean {
  return err instanceof EngineImageNotFoundError || err instanceof EnginePullDeniedError;
}

/**
 * The container create flow of docs/behaviour/create.md: cluster-wide name check (including in-flight
 * creates) → schedule → reserve on the chosen node → create there (auto-pull and retry once when the image is
 * missing) → release. On an image-missing failure without a `node==` constraint, when another node has the
 * image, retries once with an `image==<image>` affinity; then up to `createRetry` plain retries (name
 * conflicts are never retried).
 */
export async function createContainer(
  ctx: CreateContext,
  body: CreateBody,
  name: string | undefined,
  registryAuth?: string,
): Promise<CreateResult> {
  const cleanName = name?.replace(/^\//, '') || undefined;
  const built = ctx.buildRequest(body, cleanName);
  const request = built.request;
  const nodeNames = new Set(ctx.activeEngines().map((e) => e.name));
  const engineBody = stripNodePrefixes(built.body, nodeNames);
  const timing: CreateTiming = { scheduleMs: 0, engineMs: 0, attempts: 0 };
  let retries = 0;
  try {
    return await attempt(ctx, request, engineBody, cleanName, registryAuth, timing);
  } catch (first) {
    let err: unknown = first;
    if (first instanceof NameConflictError) throw first;
    const pinned = request.constraints.some((c) => c.key === 'node' && c.op === '==');
    if (isImageMissing(first) && !pinned && someNodeHasImage(ctx, request.image)) {
      retries++;
      ctx.logger.info(
        { image: request.image, err: asError(first).message },
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
        return await attempt(
          ctx,
          { ...request, affinities: [...request.affinities, affinity] },
          engineBody,
          cleanName,
          registryAuth,
          timing,
        );
      } catch (e) {
        err = e;
      }
    }
    for (; retries < ctx.createRetry; retries++) {
      if (err instanceof NameConflictError) break;
      ctx.logger.warn({ err: asError(err).message }, 'Failed to create container, retrying');
      try {
        return await attempt(ctx, request, engineBody, cleanName, registryAuth, timing);
      } catch (e) {
        err = e;
      }
    }
    throw err;
  }
}

function someNodeHasImage(ctx: CreateContext, image: string): boolean {
  return ctx
    .activeEngines()
    .some((e) => e.state === 'healthy' && e.cache.images().some((i) => imageMatches(i, image)));
}

async function attempt(
  ctx: CreateContext,
  request: PlacementRequest,
  engineBody: CreateBody,
  name: string | undefined,
  registryAuth: string | undefined,
  timing: CreateTiming,
): Promise<CreateResult> {
  timing.attempts++;
  const scheduleStart = performance.now();
  let engine: Engine;
  let reservation: Reservation;
  try {
    // Name check, decision and reservation run without an await in between, so parallel creates are serialised.
    const nodes = ctx.book.apply(ctx.snapshots());
    if (name) {
      const holder = ctx.nameHolder ? ctx.nameHolder(name) : nameTaken(ctx.containers(), name);
      if (holder) throw new NameConflictError(name, holder.container.info.Id);
      if (ctx.book.nameHolder(name)) throw new NameConflictError(name, '');
    }
    const decision = ctx.scheduler.decide(request, nodes);
    if (!decision.ok) throw new NoNodeAvailableError(decision.message, decision.rejections);
    const chosen = ctx.activeEngines().find((e) => e.addr === decision.node.addr);
    if (!chosen) throw new NoNodeAvailableError('No nodes available in the cluster');
    engine = chosen;
    reservation = ctx.book.reserve(engine.id, request);
  } finally {
    timing.scheduleMs += performance.now() - scheduleStart;
  }
  const sent = toEngineCreateBody(engineBody, engine.cpus);
  let created: { Id: string; Warnings?: string[] | null };
  const engineStart = performance.now();
  try {
    created = await createOn(engine, sent, name, registryAuth);
  } catch (err) {
    reservation.release();
    throw err;
  } finally {
    timing.engineMs += performance.now() - engineStart;
  }
  // Answer at once: a provisional cache entry serves lookups (e.g. the start that follows `docker run`), while the
  // engine's view is fetched in the background; the reservation holds until then so no snapshot misses it.
  engine.cache.addProvisional(created.Id, name, sent, ctx.now());
  engine.cache
    .refreshContainer(created.Id)
    .catch(() => undefined)
    .finally(() => reservation.release());
  return { Id: created.Id, Warnings: created.Warnings ?? [], node: engine, timing };
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
