import type { Logger } from 'pino';
import type { Clock } from '../util/clock.js';
import { asError } from '../util/errors.js';
import type { Engine } from './engine.js';
import { PENDING_RETRY_PERIOD_MS, pendingRetryDue } from './health.js';
import { Limiter } from './limiter.js';

/**
 * Engines validated and loaded at once. Each sync takes its engine's `/info`, `/version`, container list and one
 * inspect per container: bounding the engines in progress (rather than interleaving every engine's calls) lets
 * engines become healthy one after another from the first seconds on, and keeps the sockets open at once to a few
 * per syncing engine, whatever the fleet's size.
 */
export const SYNCS_AT_ONCE = 64;

/** What the validator needs from the cluster. */
export interface ValidatorHost {
  /** Every engine currently in the membership. */
  engines(): Engine[];
  /** True while `engine` is still a member (it may be removed during its validation). */
  isMember(engine: Engine): boolean;
  /** Called once an engine turned healthy. */
  connected(engine: Engine): void;
}

/**
 * Validation of pending engines (docs/behaviour/nodes.md#validation): one attempt at a time per engine (later
 * calls join it), the duplicate engine-ID rule, and the loop that re-tries pending engines every 10 s once
 * `2^failures s + 30 s` have passed.
 */
export class EngineValidator {
  private readonly running = new Map<Engine, Promise<void>>();
  private readonly activating = new Set<Engine>();
  /** Engines that were activated (or are being activated), by the engine ID they had then. */
  private readonly byId = new Map<string, Set<Engine>>();
  private readonly syncs: Limiter;
  private readonly stopper = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly host: ValidatorHost,
    private readonly clock: Clock,
    private readonly logger: Logger,
    syncsAtOnce = SYNCS_AT_ONCE,
  ) {
    this.syncs = new Limiter(syncsAtOnce);
  }

  /** Starts the periodic re-validation of pending engines (idempotent). */
  start(): void {
    this.loop ??= this.run();
  }

  /** Validates a pending engine now; resolves when the attempt ended (joins a running one). */
  validate(engine: Engine): Promise<void> {
    const running = this.running.get(engine);
    if (running) return running;
    if (engine.state !== 'pending') return Promise.resolve();
    const attempt = this.attempt(engine).finally(() => this.running.delete(engine));
    this.running.set(engine, attempt);
    return attempt;
  }

  /** Stops the loop; waits for it and for attempts in flight (which fail fast once engines are disconnected). */
  async stop(): Promise<void> {
    this.stopper.abort();
    await this.loop;
  }

  /** Waits for every attempt in flight. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  private attempt(engine: Engine): Promise<void> {
    return this.syncs.run(() => this.sync(engine));
  }

  private async sync(engine: Engine): Promise<void> {
    if (engine.state !== 'pending' || !this.host.isMember(engine)) return;
    try {
      await engine.validate();
      // An engine being activated already owns its ID, so two clones validated at once cannot both get in.
      const twin = this.twin(engine);
      if (twin) {
        const msg = `ID duplicated. ${engine.id} shared by this node ${engine.addr} and another node ${twin.addr}`;
        engine.markPendingError(msg);
        this.logger.error({ addr: engine.addr }, msg);
        return;
      }
      this.activating.add(engine);
      this.claim(engine);
      await engine.activate();
      if (!this.host.isMember(engine)) {
        await engine.disconnect();
        return;
      }
      this.logger.info({ addr: engine.addr, name: engine.name, id: engine.id }, 'Engine connected');
      this.host.connected(engine);
    } catch (err) {
      this.logger.warn({ addr: engine.addr, err: asError(err).message }, 'Engine validation failed');
    } finally {
      this.activating.delete(engine);
    }
  }

  /** Another member engine, validated or being activated, with the same engine ID (constant time per call). */
  private twin(engine: Engine): Engine | undefined {
    const holders = this.byId.get(engine.id);
    if (!holders) return undefined;
    for (const o of holders) {
      if (o === engine) continue;
      if (o.id !== engine.id || !(o.active || this.activating.has(o)) || !this.host.isMember(o)) {
        holders.delete(o);
        continue;
      }
      return o;
    }
    if (holders.size === 0) this.byId.delete(engine.id);
    return undefined;
  }

  private claim(engine: Engine): void {
    let holders = this.byId.get(engine.id);
    if (!holders) {
      holders = new Set();
      this.byId.set(engine.id, holders);
    }
    holders.add(engine);
  }

  private async run(): Promise<void> {
    const signal = this.stopper.signal;
    while (!signal.aborted) {
      try {
        await this.clock.sleep(PENDING_RETRY_PERIOD_MS, signal);
      } catch {
        return;
      }
      const now = this.clock.now();
      const due = this.host
        .engines()
        .filter((e) => e.state === 'pending' && pendingRetryDue(now, e.updatedAt, e.failureCount));
      await Promise.all(due.map((e) => this.validate(e)));
    }
  }
}
