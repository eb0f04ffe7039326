import pino, { type Logger } from 'pino';
import type { EngineTlsOptions } from '../engine/engine-client.js';
import { type BuiltRequest, buildPlacementRequest, type CreateBody } from '../scheduler/request.js';
import { ReservationBook } from '../scheduler/reservations.js';
import type { NodeSnapshot, PlacementRequest } from '../scheduler/types.js';
import { type Clock, systemClock } from '../util/clock.js';
import { defaultRng, type Rng } from '../util/rng.js';
import { ContainerIndex } from './container-index.js';
import { type CreateResult, createContainer, type PlacementScheduler } from './create-flow.js';
import { Engine, type EngineHooks } from './engine.js';
import type { CachedContainer } from './engine-cache.js';
import type { ImageSummary, NetworkResource } from './engine-types.js';
import { EngineValidator } from './engine-validator.js';
import {
  NoNodeAvailableError,
  NoSuchContainerError,
  NoSuchImageError,
  NoSuchNetworkError,
  NoSuchNodeError,
  NoSuchVolumeError,
} from './errors.js';
import { annotateEvent, ClusterEvents, type SwarmAction, swarmEvent } from './events.js';
import { Limiter } from './limiter.js';
import {
  findContainer,
  findNetwork,
  findVolume,
  imageMatches,
  type NodeContainer,
  type NodeNetwork,
  type NodeVolume,
  SWARM_ID_LABEL,
} from './lookup.js';
import { SnapshotCache } from './snapshot-cache.js';

/** Everything a {@link Cluster} is built from. Durations in ms; defaults are classic Swarm's. */
export interface ClusterOptions {
  /** The placement scheduler (strategy + filters). */
  readonly scheduler: PlacementScheduler;
  /**
   * Builds the placement request and cleaned body from a create body. Default (recommended): the scheduler's
   * `buildPlacementRequest` with `rng`. A builder returning a bare `PlacementRequest` is accepted too: the body is
   * then cleaned by the default builder, keeping the request's swarm ID.
   */
  readonly buildRequest?: (body: CreateBody, name: string | undefined) => BuiltRequest | PlacementRequest;
  /** TLS client options for engines; undefined = plain TCP. */
  readonly tls?: EngineTlsOptions | undefined;
  /** `swarm.overcommit` (default 0.05). */
  readonly overcommit?: number;
  /** `swarm.createretry` (default 0). */
  readonly createRetry?: number;
  /** `--engine-refresh-min-interval` (default 30 s). */
  readonly refreshMinMs?: number;
  /** `--engine-refresh-max-interval` (default 60 s). */
  readonly refreshMaxMs?: number;
  /** `--engine-failure-retry` (default 3). */
  readonly failureRetry?: number;
  /** Timeout of short engine calls (default 30 s). */
  readonly engineTimeoutMs?: number;
  /**
   * Container inspects in flight at once over all engines (default 64): bounds the manager's memory and the load
   * on itself while many engines sync their caches at once.
   */
  readonly inspectConcurrency?: number;
  readonly clock?: Clock;
  readonly rng?: Rng;
  readonly logger?: Logger;
}

/** Extra rules for one placement (used by rescheduling and drain). */
export interface PlacementOptions {
  /** Keep this swarm ID instead of drawing a new one (a container created again elsewhere). */
  readonly swarmId?: string;
  /** Engine IDs never to place on (the failed or drained node). */
  readonly exclude?: ReadonlySet<string>;
}

/** A built request with `swarmId` as its swarm ID label. */
function keepSwarmId(built: BuiltRequest, swarmId: string): BuiltRequest {
  const labels = { ...built.request.labels, [SWARM_ID_LABEL]: swarmId };
  return {
    ...built,
    swarmId,
    request: { ...built.request, labels },
    body: { ...built.body, Labels: { ...built.body.Labels, [SWARM_ID_LABEL]: swarmId } },
  };
}

/** An image together with its engine. */
export interface NodeImage {
  readonly node: Engine;
  readonly image: ImageSummary;
}

/**
 * The set of engines the manager serves: membership from discovery, validation of pending engines, the
 * scheduler's snapshots, lookups across nodes, the create flow and the event bus. Engines are keyed by address.
 * Call {@link close} to stop every loop and connection.
 */
export class Cluster {
  /** Engine and swarm events, annotated with node info (docs/behaviour/events.md). */
  readonly events = new ClusterEvents<Engine>();
  readonly overcommit: number;
  readonly createRetry: number;
  private readonly byAddr = new Map<string, Engine>();
  private readonly book = new ReservationBook();
  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly logger: Logger;
  private readonly hooks: EngineHooks;
  private readonly validator: EngineValidator;
  private readonly inspects: Limiter;
  private readonly snapshotCache: SnapshotCache;
  private readonly index = new ContainerIndex();
  /** Engine IDs whose availability is `pause` or `drain`: the scheduler places nothing new there. */
  private readonly unavailable = new Set<string>();
  /** Engines whose snapshot and name index are built off the request path at the next turn of the event loop. */
  private readonly toWarm = new Set<Engine>();

  constructor(private readonly opts: ClusterOptions) {
    this.overcommit = opts.overcommit ?? 0.05;
    this.createRetry = opts.createRetry ?? 0;
    this.clock = opts.clock ?? systemClock;
    this.rng = opts.rng ?? defaultRng;
    this.logger = opts.logger ?? pino({ level: 'silent' });
    this.inspects = new Limiter(opts.inspectConcurrency ?? 64);
    this.snapshotCache = new SnapshotCache(this.overcommit);
    this.hooks = {
      transition: (engine, t) => {
        this.logger.info(
          { addr: engine.addr, name: engine.name },
          t === 'engine_disconnect' ? 'Engine unhealthy' : 'Engine healthy again',
        );
        this.emitSwarm(t, engine);
      },
      event: (engine, ev) => this.events.emit({ message: annotateEvent(ev, engine), engine }),
    };
    this.validator = new EngineValidator(
      {
        engines: () => this.engines(),
        isMember: (e) => this.byAddr.get(e.addr) === e,
        connected: (e) => {
          this.emitSwarm('engine_connect', e);
          this.warm(e);
        },
      },
      this.clock,
      this.logger,
    );
  }

  /**
   * Applies a full membership list from discovery: engines not in `addrs` are disconnected and dropped (an
   * `engine_disconnect` event is emitted for validated ones), new addresses become pending engines and are
   * validated at once. Starts the pending-engine validator on first use.
   */
  async updateEntries(addrs: readonly string[]): Promise<void> {
    const wanted = new Set(addrs.map((a) => a.trim()).filter(Boolean));
    const removed: Engine[] = [];
    for (const [addr, engine] of this.byAddr) {
      if (!wanted.has(addr)) {
        this.byAddr.delete(addr);
        removed.push(engine);
      }
    }
    for (const addr of wanted) {
      if (this.byAddr.has(addr)) continue;
      const engine = new Engine(
        addr,
        {
          tls: this.opts.tls,
          timeoutMs: this.opts.engineTimeoutMs ?? 30_000,
          failureRetry: this.opts.failureRetry ?? 3,
          refreshMinMs: this.opts.refreshMinMs ?? 30_000,
          refreshMaxMs: this.opts.refreshMaxMs ?? 60_000,
          clock: this.clock,
          rng: this.rng,
          logger: this.logger,
          inspectLimit: (task) => this.inspects.run(task),
        },
        this.hooks,
      );
      this.byAddr.set(addr, engine);
      this.logger.info({ addr }, 'Registered Engine');
      void this.validate(engine);
    }
    this.validator.start();
    await Promise.all(
      removed.map(async (engine) => {
        const wasActive = engine.active;
        await engine.disconnect();
        this.logger.info({ addr: engine.addr, name: engine.name }, 'Engine removed from discovery');
        if (wasActive) this.emitSwarm('engine_disconnect', engine);
      }),
    );
  }

  /** Every engine known from discovery (pending ones included), in discovery order. */
  engines(): Engine[] {
    return [...this.byAddr.values()];
  }

  /** Validated engines (healthy or unhealthy). */
  activeEngines(): Engine[] {
    return this.engines().filter((e) => e.active);
  }

  /** The engine with this name, ID or address; throws {@link NoSuchNodeError}. */
  engine(ref: string): Engine {
    const e =
      this.byAddr.get(ref) ??
      this.activeEngines().find((x) => x.name === ref) ??
      this.activeEngines().find((x) => x.id === ref);
    if (!e) throw new NoSuchNodeError(ref);
    return e;
  }

  /** The scheduler's snapshot of one engine, including in-flight creates reserved on it and overcommit. */
  snapshotOf(engine: Engine): NodeSnapshot {
    return this.book.apply([this.rawSnapshot(engine)])[0]!;
  }

  /** The engine's snapshot without reservations (see {@link SnapshotCache}). */
  private rawSnapshot(engine: Engine): NodeSnapshot {
    return this.snapshotCache.get(engine);
  }

  /**
   * Builds a just-connected engine's scheduler snapshot and name index at the next turn of the event loop, so the
   * first create after many engines joined does not build them all at once (100 ms at 1,000 engines).
   */
  private warm(engine: Engine): void {
    if (this.toWarm.size === 0) {
      setImmediate(() => {
        for (const e of this.toWarm) {
          if (!e.active || this.byAddr.get(e.addr) !== e) continue;
          this.snapshotCache.get(e);
          this.index.warm(e);
        }
        this.toWarm.clear();
      });
    }
    this.toWarm.add(engine);
  }

  /**
   * Snapshots of every validated engine with in-flight creates (the scheduler's candidates; its health filter drops
   * unhealthy ones). Use with the cluster's {@link reservations} for other placements (network create, build).
   */
  snapshots(): NodeSnapshot[] {
    return this.book.apply(this.rawSnapshots());
  }

  /** The book of in-flight creates (shared with any other placement the API makes). */
  get reservations(): ReservationBook {
    return this.book;
  }

  private buildRequest(body: CreateBody, name: string | undefined): BuiltRequest {
    const custom = this.opts.buildRequest?.(body, name);
    if (custom && 'request' in custom) return custom;
    const built = buildPlacementRequest(body, name, this.rng);
    if (!custom) return built;
    const swarmId = custom.labels[SWARM_ID_LABEL] ?? built.swarmId;
    return {
      ...built,
      request: custom,
      swarmId,
      body: { ...built.body, Labels: { ...built.body.Labels, [SWARM_ID_LABEL]: swarmId } },
    };
  }

  private rawSnapshots(exclude?: ReadonlySet<string>): NodeSnapshot[] {
    const out: NodeSnapshot[] = [];
    for (const e of this.activeEngines()) {
      if (this.unavailable.has(e.id) || exclude?.has(e.id)) continue;
      out.push(this.rawSnapshot(e));
    }
    return out;
  }

  /**
   * Marks a node (by engine ID) as taking new containers (`active`) or not (`pause`, `drain`): paused and drained
   * nodes are left out of every placement's candidates.
   */
  setPlacementAllowed(engineId: string, allowed: boolean): void {
    if (allowed) this.unavailable.delete(engineId);
    else this.unavailable.add(engineId);
  }

  /** False when the node (engine ID) is paused or drained. */
  placementAllowed(engineId: string): boolean {
    return !this.unavailable.has(engineId);
  }

  /**
   * Every cached container on validated engines, with its engine. The same array is returned until an engine's
   * container list or the set of validated engines changes; treat it as read-only.
   */
  containers(): NodeContainer<Engine>[] {
    return this.index.containers(this.activeEngines());
  }

  /**
   * The validated engine's container holding the primary name `/name` (first in engine order), from per-engine
   * name indexes rebuilt only when that engine's container list changes. Same answer as `nameTaken`.
   */
  nameHolder(name: string): NodeContainer<Engine> | undefined {
    return this.index.nameHolder(this.activeEngines(), name);
  }

  /**
   * Container lookup by the rules of docs/behaviour/lookup.md#containers; undefined when nothing unique
   * matches.
   */
  findContainer(ref: string): NodeContainer<Engine> | undefined {
    // A full ID matches by exact ID only (the first lookup rule): answer it from the engines' ID maps.
    if (/^[0-9a-f]{64}$/.test(ref)) {
      for (const node of this.activeEngines()) {
        const container = node.cache.container(ref);
        if (container) return { node, container };
      }
    }
    return findContainer(this.containers(), ref);
  }

  /** Like {@link findContainer} but throws {@link NoSuchContainerError} (404). */
  container(ref: string): NodeContainer<Engine> {
    const found = this.findContainer(ref);
    if (!found) throw new NoSuchContainerError(ref);
    return found;
  }

  /** Re-reads one container into its engine's cache; returns it, or undefined when it is gone. */
  async refreshContainer(engine: Engine, id: string): Promise<CachedContainer | undefined> {
    return engine.cache.refreshContainer(id);
  }

  /** Every engine holding an image matching `ref` (ID, ID prefix, `repo:tag`), healthy engines first. */
  findImages(ref: string): NodeImage[] {
    const out: NodeImage[] = [];
    const engines = this.activeEngines().sort(
      (a, b) => Number(b.state === 'healthy') - Number(a.state === 'healthy'),
    );
    for (const node of engines) {
      const image = node.cache.images().find((i) => imageMatches(i, ref));
      if (image) out.push({ node, image });
    }
    return out;
  }

  /** The first engine holding image `ref`; throws {@link NoSuchImageError}. */
  image(ref: string): NodeImage {
    const found = this.findImages(ref)[0];
    if (!found) throw new NoSuchImageError(ref);
    return found;
  }

  /**
   * Every network of validated engines with its engine (a global network appears once per engine holding it;
   * API listings de-duplicate by ID).
   */
  networks(): NodeNetwork<Engine>[] {
    return this.activeEngines().flatMap((node) =>
      node.cache.networks().map((network) => ({ node, network })),
    );
  }

  /**
   * Network lookup (docs/behaviour/lookup.md#networks), preferring healthy engines; throws {@link
   * NoSuchNetworkError}.
   */
  network(ref: string): NodeNetwork<Engine> {
    const all = this.networks().sort(
      (a, b) => Number(b.node.state === 'healthy') - Number(a.node.state === 'healthy'),
    );
    const found = findNetwork(all, ref);
    if (!found) throw new NoSuchNetworkError(ref);
    return found;
  }

  /**
   * Adds a just-created global (overlay) network to every validated engine's cached view at once
   * (docs/behaviour/lookup.md#networks), so it is listed and found everywhere before the engines' own
   * refreshes see it.
   */
  addGlobalNetwork(network: NetworkResource): void {
    for (const e of this.activeEngines()) e.cache.addNetwork(network);
  }

  /** Every volume of validated engines with its engine. */
  volumes(): NodeVolume<Engine>[] {
    return this.activeEngines().flatMap((node) => node.cache.volumes().map((volume) => ({ node, volume })));
  }

  /** Volume lookup (`node/name` or name); throws {@link NoSuchVolumeError}. */
  volume(ref: string): NodeVolume<Engine> {
    const found = findVolume(this.volumes(), ref);
    if (!found) throw new NoSuchVolumeError(ref);
    return found;
  }

  /**
   * Creates a container through the scheduler (docs/behaviour/create.md). `name` may be undefined;
   * `registryAuth` is the client's raw `X-Registry-Auth` header, forwarded to auto-pulls. Throws
   * `NameConflictError` (409), `NoNodeAvailableError` (500), the scheduler's `InvalidReschedulePolicyError`
   * (500) / `InvalidExpressionError` (400), or the engine's own error (its status).
   */
  createContainer(
    body: CreateBody,
    name: string | undefined,
    registryAuth?: string,
    opts: PlacementOptions = {},
  ): Promise<CreateResult> {
    const build = (b: CreateBody, n: string | undefined): BuiltRequest => {
      const built = this.buildRequest(b, n);
      return opts.swarmId ? keepSwarmId(built, opts.swarmId) : built;
    };
    return createContainer(
      {
        activeEngines: () => this.activeEngines(),
        containers: () => this.containers(),
        nameHolder: (name) => this.nameHolder(name),
        snapshots: () => this.rawSnapshots(opts.exclude),
        book: this.book,
        scheduler: this.opts.scheduler,
        buildRequest: build,
        createRetry: this.createRetry,
        logger: this.logger,
        now: () => this.clock.now(),
      },
      body,
      name,
      registryAuth,
    );
  }

  /**
   * The engine the scheduler picks for work that holds no resources on it (`docker build`, network create, search):
   * the request is read from `env`-style entries (`constraint:region==eu`, `affinity:image==x`) as for a container,
   * docs/behaviour/scheduling.md#pipeline. Nothing is reserved. Throws `NoNodeAvailableError` (500) with the
   * scheduler's explanation, or the scheduler's `InvalidExpressionError` (400).
   */
  place(env: readonly string[]): Engine {
    const { request } = this.buildRequest({ Image: '', Env: [...env] }, undefined);
    const decision = this.opts.scheduler.decide(request, this.snapshots());
    if (!decision.ok) throw new NoNodeAvailableError(decision.message, decision.rejections);
    const engine = this.activeEngines().find((e) => e.addr === decision.node.addr);
    if (!engine) throw new NoNodeAvailableError('No nodes available in the cluster');
    return engine;
  }

  /**
   * Validates one pending engine now (normally done by the cluster itself); resolves when the attempt ended. A call
   * while an attempt is running joins it.
   */
  validate(engine: Engine): Promise<void> {
    return this.validator.validate(engine);
  }

  /** Stops the validator, every engine loop and connection. */
  async close(): Promise<void> {
    await this.validator.stop();
    const all = this.engines();
    this.byAddr.clear();
    await Promise.all(all.map((e) => e.disconnect()));
    await this.validator.settled();
  }

  private emitSwarm(action: SwarmAction, engine: Engine): void {
    this.events.emit({ message: swarmEvent(action, engine, this.clock.now()), engine, swarm: action });
  }
}
