import pino, { type Logger } from 'pino';
import type { EngineTlsOptions } from '../engine/engine-client.js';
import { findContainer, type NodeNetwork } from '../scheduler/lookup.js';
import type { Decision } from '../scheduler/types.js';
import { type Clock, systemClock } from '../util/clock.js';
import { defaultRng, type Rng } from '../util/rng.js';
import { ContainerDirectory } from './container-directory.js';
import { CACHED_CONTAINER_KEYS, ContainerIndex, type NodeContainer } from './container-index.js';
import { Engine, type EngineHooks } from './engine.js';
import type { NetworkResource } from './engine-types.js';
import { EngineValidator } from './engine-validator.js';
import { NoSuchNodeError } from './errors.js';
import { annotateEvent, ClusterEvents, type SwarmAction, swarmEvent } from './events.js';
import { Limiter } from './limiter.js';
import { Placement, type PlacementScheduler } from './placement.js';
import { SnapshotCache } from './snapshot-cache.js';

/** Everything a {@link Cluster} is built from. Durations in ms; defaults are classic Swarm's. */
export interface ClusterOptions {
  /** The placement scheduler (strategy + filters). */
  readonly scheduler: PlacementScheduler;
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
  /** Called for each failed periodic engine refresh (metrics). */
  readonly onRefreshError?: (engine: Engine, err: Error) => void;
  /** Called with each scheduling decision a placement acts on, plans excluded (metrics). */
  readonly onDecision?: (decision: Decision, seconds: number) => void;
}

/**
 * The set of engines the manager serves: membership from discovery, validation of pending engines, container
 * lookups across nodes, placement and the event bus. Engines are keyed by address. Call {@link close} to stop every
 * loop and connection.
 */
export class Cluster {
  /** Engine and swarm events, annotated with node info (docs/behaviour/events.md). */
  readonly events = new ClusterEvents<Engine>();
  readonly overcommit: number;
  /** Where work goes: the one placement step (container create, build, network create, rescheduling). */
  readonly placement: Placement;
  private readonly byAddr = new Map<string, Engine>();
  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly logger: Logger;
  private readonly hooks: EngineHooks;
  private readonly validator: EngineValidator;
  private readonly inspects: Limiter;
  private readonly snapshotCache: SnapshotCache;
  private readonly index = new ContainerIndex();
  /**
   * Every cached container's full ID and names across engines, kept by the engines' caches (the create's name
   * check, lookups by full ID).
   */
  private readonly directory = new ContainerDirectory<Engine>();
  /** Engines whose snapshot and name index are built off the request path at the next turn of the event loop. */
  private readonly toWarm = new Set<Engine>();

  constructor(private readonly opts: ClusterOptions) {
    this.overcommit = opts.overcommit ?? 0.05;
    this.clock = opts.clock ?? systemClock;
    this.rng = opts.rng ?? defaultRng;
    this.logger = opts.logger ?? pino({ level: 'silent' });
    this.inspects = new Limiter(opts.inspectConcurrency ?? 64);
    this.snapshotCache = new SnapshotCache(this.overcommit);
    this.placement = new Placement({
      scheduler: opts.scheduler,
      engines: this.byAddr,
      names: this.directory,
      snapshots: this.snapshotCache,
      createRetry: opts.createRetry ?? 0,
      rng: this.rng,
      clock: this.clock,
      logger: this.logger,
      ...(opts.onDecision ? { onDecision: opts.onDecision } : {}),
    });
    this.hooks = {
      transition: (engine, t) => {
        this.logger.info(
          { addr: engine.addr, name: engine.name },
          t === 'engine_disconnect' ? 'Engine unhealthy' : 'Engine healthy again',
        );
        this.emitSwarm(t, engine);
      },
      event: (engine, ev) => this.events.emit({ message: annotateEvent(ev, engine), engine }),
      container: (engine, id, entry) => {
        if (this.byAddr.get(engine.addr) === engine) this.directory.record(engine, id, entry);
      },
      refreshFailed: (engine, err) => opts.onRefreshError?.(engine, err),
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
        this.directory.dropNode(engine);
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
   * Every cached container on validated engines, with its engine. The same array is returned until an engine's
   * container list or the set of validated engines changes; treat it as read-only.
   */
  containers(): NodeContainer<Engine>[] {
    return this.index.containers(this.activeEngines());
  }

  /**
   * Container lookup by the rules of docs/behaviour/lookup.md#containers (`src/scheduler/lookup.ts`); undefined
   * when nothing unique matches.
   */
  findContainer(ref: string): NodeContainer<Engine> | undefined {
    // A full ID matches by exact ID only (the first lookup rule): answer it from the engines' ID maps.
    if (/^[0-9a-f]{64}$/.test(ref)) {
      const hit = this.directory.byId(ref, (e) => e.active && this.byAddr.get(e.addr) === e);
      if (hit) return hit;
    }
    return findContainer(this.containers(), ref, CACHED_CONTAINER_KEYS);
  }

  /**
   * Every network of validated engines with its engine (a global network appears once per engine holding it).
   */
  networks(): NodeNetwork<Engine, NetworkResource>[] {
    return this.activeEngines().flatMap((node) =>
      node.cache.networks().map((network) => ({ node, network })),
    );
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
    for (const e of all) this.directory.dropNode(e);
    await Promise.all(all.map((e) => e.disconnect()));
    await this.validator.settled();
  }

  private emitSwarm(action: SwarmAction, engine: Engine): void {
    this.events.emit({ message: swarmEvent(action, engine, this.clock.now()), engine, swarm: action });
  }
}
