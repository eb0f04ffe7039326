import type { Logger } from 'pino';
import { EngineClient, type EngineTlsOptions } from '../engine/engine-client.js';
import { EngineUnreachableError } from '../engine/errors.js';
import type { Clock } from '../util/clock.js';
import { asError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import { type CachedContainer, type CallLimit, EngineCache, nextTurn } from './engine-cache.js';
import { EngineEventStream } from './engine-events.js';
import type { EngineEvent, EngineInfo, EngineVersion } from './engine-types.js';
import { EngineValidationError } from './errors.js';
import { EngineHealth, type EngineState, type HealthTransition } from './health.js';
import { InspectCache } from './inspect-cache.js';
import { engineLabels } from './labels.js';
import { RefreshLoop } from './refresh-loop.js';
import { targetedRefresh } from './targeted-refresh.js';

/** How the cluster configures each engine. */
export interface EngineSettings {
  readonly tls?: EngineTlsOptions | undefined;
  /** Per-call timeout for short requests, ms (default 30 s). */
  readonly timeoutMs?: number;
  readonly failureRetry: number;
  readonly refreshMinMs: number;
  readonly refreshMaxMs: number;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: Logger;
  /** Limit on container inspects (shared by a cluster's engines); default none. */
  readonly inspectLimit?: CallLimit;
}

/** What an engine tells its cluster. */
export interface EngineHooks {
  /** Healthy → Unhealthy (`engine_disconnect`) or back (`engine_reconnect`). */
  transition(engine: Engine, t: HealthTransition): void;
  /** A raw event from the engine's `/events` stream. */
  event(engine: Engine, ev: EngineEvent): void;
  /** A cached container was added or re-read (`entry`), or dropped (undefined). */
  container?(engine: Engine, id: string, entry: CachedContainer | undefined): void;
  /** A periodic refresh failed (metrics). */
  refreshFailed?(engine: Engine, err: Error): void;
}

/** Info is re-read at least this often during refreshes (docs/behaviour/nodes.md#refresh). */
const INFO_REFRESH_MS = 5 * 60_000;

/**
 * One Docker engine (a node): identity from `/info`, health, a cache kept fresh by a refresh loop and the engine's
 * event stream. Created `pending` by the cluster; {@link validate} + {@link activate} make it `healthy`.
 * Every call made through {@link client} (including the API layer's proxied ones) counts toward its health.
 */
export class Engine {
  /** `host:port` as given by discovery. */
  readonly addr: string;
  /** Host part of `addr`. */
  readonly ip: string;
  readonly client: EngineClient;
  readonly cache: EngineCache;
  /** Recent container inspect answers, kept while this engine's events show no change (see {@link InspectCache}). */
  readonly inspects: InspectCache;
  /** Engine ID from `/info` ('' until validated). */
  id = '';
  /** Engine name (hostname) from `/info` ('' until validated). */
  name = '';
  /** Built-in plus daemon labels (docs/behaviour/nodes.md#labels). */
  labels: Readonly<Record<string, string>> = {};
  /** Real CPU count (without overcommit). */
  cpus = 0;
  /** Real memory in bytes (without overcommit). */
  memory = 0;
  /** Engine version from `/version`. */
  serverVersion = '';
  /** API version from `/version`. */
  apiVersion = '';
  /** The last `/info` document. */
  info: EngineInfo | undefined;
  /** Milliseconds since the epoch of the last successful refresh or validation attempt. */
  updatedAt = 0;
  /** Engine clock minus manager clock, ms (docs/behaviour/nodes.md#clock-skew). */
  clockDeltaMs = 0;

  private readonly health: EngineHealth;
  private readonly loop: RefreshLoop;
  private readonly events: EngineEventStream;
  private lastInfoAt = 0;
  private started = false;
  private eventsBroken = false;
  private probing = false;
  /** Set while a pending engine loads its cache in {@link activate}; see {@link onCallFailure}. */
  private syncFailures: number | undefined;

  constructor(
    addr: string,
    private readonly settings: EngineSettings,
    private readonly hooks: EngineHooks,
  ) {
    this.addr = addr;
    this.health = new EngineHealth(settings.failureRetry);
    this.client = new EngineClient({
      addr,
      tls: settings.tls,
      timeoutMs: settings.timeoutMs ?? 30_000,
      observer: {
        success: () => this.onCallSuccess(),
        failure: (err) => this.onCallFailure(err),
      },
    });
    this.ip = this.client.host;
    this.inspects = new InspectCache(settings.clock);
    this.cache = new EngineCache(
      this.client,
      () => this.clockDeltaMs,
      settings.inspectLimit,
      (id, entry) => {
        this.inspects.forget(id);
        hooks.container?.(this, id, entry);
      },
    );
    const log = settings.logger;
    this.loop = new RefreshLoop(
      this,
      { minMs: settings.refreshMinMs, maxMs: settings.refreshMaxMs, failureRetry: settings.failureRetry },
      settings.clock,
      settings.rng,
      (err) => {
        log.debug({ addr, err: err.message }, 'engine refresh failed');
        hooks.refreshFailed?.(this, err);
      },
    );
    this.events = new EngineEventStream(
      this.client,
      {
        event: (ev) => this.onEngineEvent(ev),
        broken: (err) => {
          log.debug({ addr, err: err.message }, 'engine event stream broken');
          this.inspects.streamBroken();
          this.eventsBroken = true;
          if (this.active) {
            this.loop.wake();
            void this.probe();
          }
        },
        opened: () => {
          this.inspects.streamOpened();
          // Events may have been missed while the stream was down: catch up with a refresh now.
          if (this.eventsBroken && this.active) this.loop.wake();
          this.eventsBroken = false;
        },
      },
      settings.clock,
      Math.max(1000, Math.min(settings.refreshMinMs, 10_000)),
    );
  }

  get state(): EngineState {
    return this.health.state;
  }

  get failureCount(): number {
    return this.health.failureCount;
  }

  /** Text of the last error ('' when none). Shown as `└ Error` in `docker info`. */
  get lastError(): string {
    return this.health.lastError;
  }

  /** 0..100 (docs/behaviour/nodes.md#health-indicator). */
  get healthIndicator(): number {
    return this.health.healthIndicator;
  }

  /** Validated and not removed: healthy or unhealthy. */
  get active(): boolean {
    return this.health.state === 'healthy' || this.health.state === 'unhealthy';
  }

  /** `name` when known, else `(unknown)` (as `docker info` shows pending engines). */
  get displayName(): string {
    return this.name || '(unknown)';
  }

  /**
   * Reads `/info` and `/version`, checks it is a real Docker Engine (CPUs and memory > 0) and sets identity, labels
   * and resources. Does not change the state. Throws {@link EngineValidationError} or an engine client error; the
   * error text is recorded as `lastError`.
   */
  async validate(): Promise<EngineInfo> {
    this.updatedAt = this.settings.clock.now();
    this.syncFailures = undefined;
    try {
      const info = await this.readInfo();
      return info;
    } catch (err) {
      const e = asError(err);
      // Connection errors were counted by the client observer; count the others here.
      if (!(e instanceof EngineUnreachableError)) this.health.failure(e.message);
      throw e;
    }
  }

  /** Records an error without a call (e.g. "ID duplicated ..."); the engine stays pending. */
  markPendingError(message: string): void {
    this.health.failure(message);
    this.updatedAt = this.settings.clock.now();
  }

  /**
   * Completes a validation: loads the full cache, marks the engine healthy and starts its event stream and refresh
   * loop. Throws (staying pending) when the initial refresh fails.
   */
  async activate(): Promise<void> {
    // Kept after a failed load (calls still in flight fail later) until the next validation attempt.
    this.syncFailures = 0;
    await this.cache.refreshAll(true);
    this.syncFailures = undefined;
    if (this.health.state === 'disconnected') return;
    this.health.state = 'healthy';
    this.health.success();
    this.updatedAt = this.settings.clock.now();
    if (!this.started) {
      this.started = true;
      this.events.start();
      this.loop.start();
    }
  }

  /**
   * One refresh pass: `/info` + `/version` when unhealthy or every 5 minutes, then containers, images, networks and
   * volumes. Used by the refresh loop; safe to call any time.
   */
  async refresh(): Promise<void> {
    const now = this.settings.clock.now();
    if (this.health.state === 'unhealthy' || now - this.lastInfoAt >= INFO_REFRESH_MS) await this.readInfo();
    await this.cache.refreshAll(false);
    this.updatedAt = this.settings.clock.now();
  }

  /** Stops the loops, closes connections and marks the engine `disconnected` (removed from discovery). */
  async disconnect(): Promise<void> {
    this.health.state = 'disconnected';
    this.inspects.streamBroken();
    await Promise.all([this.loop.stop(), this.events.stop()]);
    await this.client.close();
  }

  private async readInfo(): Promise<EngineInfo> {
    // One call after the other: both at once opened a second connection to every engine, kept alive for a
    // minute (at 5,000 engines, 5,000 more open files on each side). The clock offset is read from /info alone.
    const askedAt = this.settings.clock.now();
    const info = await this.client.json<EngineInfo>('GET', '/info');
    const answeredAt = this.settings.clock.now();
    await nextTurn();
    const version = await this.client.json<EngineVersion>('GET', '/version');
    if (!(info.NCPU > 0) || !(info.MemTotal > 0)) {
      throw new EngineValidationError(
        `cannot get resources for this engine, make sure ${this.addr} is a Docker Engine, not a Swarm manager (it reports ${info.NCPU ?? 0} CPUs and ${info.MemTotal ?? 0} bytes of memory)`,
      );
    }
    if (versionBelow(version.Version, 1, 8)) {
      throw new EngineValidationError(
        `Engine ${this.addr} is running an unsupported version: ${version.Version}. Please upgrade to at least 1.8.0`,
      );
    }
    const { labels, warnings } = engineLabels(info);
    for (const w of warnings) this.settings.logger.warn({ addr: this.addr }, w);
    this.info = info;
    this.id = info.ID;
    this.name = info.Name;
    this.labels = labels;
    this.cpus = info.NCPU;
    this.memory = info.MemTotal;
    this.serverVersion = version.Version;
    this.apiVersion = version.ApiVersion;
    this.lastInfoAt = this.settings.clock.now();
    if (info.SystemTime) {
      // The engine read its clock somewhere between the call and the answer: compare with the middle, and call a
      // difference no larger than half the round trip (a slow answer on a busy manager) no difference at all.
      const delta = Date.parse(info.SystemTime) - (askedAt + answeredAt) / 2;
      if (Number.isFinite(delta)) {
        this.clockDeltaMs = Math.abs(delta) - (answeredAt - askedAt) / 2 >= 2000 ? Math.round(delta) : 0;
        if (this.clockDeltaMs !== 0) {
          this.settings.logger.warn(
            { addr: this.addr, deltaMs: delta },
            'engine clock differs from the manager',
          );
        }
      }
    }
    return info;
  }

  /**
   * After the event stream broke: pings the engine once a second until it answers, at most `failureRetry` times.
   * Each failed ping counts like any failed call, so a dead engine turns unhealthy within seconds whatever the
   * refresh interval (with Swarm's 30-60 s refresh it took minutes), which starts rescheduling
   * (docs/behaviour/rescheduling.md#trigger). A live engine answers the first ping and nothing changes.
   */
  private async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      for (let i = 0; i < this.settings.failureRetry; i++) {
        if (!this.active || !this.eventsBroken) return;
        try {
          await this.client.request('GET', '/_ping').then((r) => r.body.text());
          return;
        } catch {
          // counted by the client's observer
        }
        await this.settings.clock.sleep(1000).catch(() => undefined);
      }
    } finally {
      this.probing = false;
    }
  }

  private onCallSuccess(): void {
    if (this.health.state === 'disconnected') return;
    const t = this.health.success();
    if (t) {
      this.loop.wake();
      this.hooks.transition(this, t);
    }
  }

  private onCallFailure(err: EngineUnreachableError): void {
    if (this.health.state === 'disconnected') return;
    // The initial cache load of a pending engine makes one call per container at once: count one failure for the
    // whole load, else a single outage would push the pending retry (2^failures s + 30 s) out by hours.
    if (this.syncFailures !== undefined && this.health.state === 'pending' && this.syncFailures++ > 0) {
      this.health.lastError = err.message;
      return;
    }
    const t = this.health.failure(err.message);
    if (t) this.hooks.transition(this, t);
  }

  private onEngineEvent(ev: EngineEvent): void {
    this.inspects.sawEvent(ev);
    this.hooks.event(this, ev);
    targetedRefresh(this, ev).catch((err: unknown) =>
      this.settings.logger.debug(
        { addr: this.addr, err: asError(err).message },
        'event-triggered refresh failed',
      ),
    );
  }
}

/** True when a `major.minor[.patch...]` version is older than `major.minor` (unparsable versions pass). */
export function versionBelow(version: string, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj < major || (maj === major && min < minor);
}
