import type { Clock } from '../util/clock.js';
import { asError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import { refreshDelay } from './health.js';

/** What the refresh loop needs from an engine. */
export interface Refreshable {
  readonly failureCount: number;
  /** Whether the engine should be refreshed now (validated and not removed). */
  readonly active: boolean;
  refresh(): Promise<void>;
}

/** Timing of the refresh loop (`--engine-refresh-min-interval`, `-max-interval`, `--engine-failure-retry`). */
export interface RefreshTiming {
  readonly minMs: number;
  readonly maxMs: number;
  readonly failureRetry: number;
}

/**
 * The periodic refresh of one validated engine (docs/behaviour/nodes.md#refresh): sleeps {@link
 * refreshDelay}, refreshes, repeats until stopped. {@link wake} cuts the current sleep short (used on
 * reconnect and when the event stream breaks). Errors of a refresh are reported to `onError` (the engine
 * client has already counted the failure).
 */
export class RefreshLoop {
  private readonly stopper = new AbortController();
  private wakeCtl = new AbortController();
  private done: Promise<void> | undefined;

  constructor(
    private readonly target: Refreshable,
    private readonly timing: RefreshTiming,
    private readonly clock: Clock,
    private readonly rng: Rng,
    private readonly onError: (err: Error) => void,
  ) {}

  /** Starts the loop (idempotent). */
  start(): void {
    this.done ??= this.run();
  }

  /** Ends the current wait early so a refresh happens now. */
  wake(): void {
    this.wakeCtl.abort();
  }

  /** Stops the loop and waits for it to finish. */
  async stop(): Promise<void> {
    this.stopper.abort();
    this.wakeCtl.abort();
    await this.done;
  }

  private async run(): Promise<void> {
    while (!this.stopper.signal.aborted) {
      const delay = refreshDelay(
        this.timing.minMs,
        this.timing.maxMs,
        this.target.failureCount,
        this.timing.failureRetry,
        this.rng,
      );
      try {
        await this.clock.sleep(delay, this.wakeCtl.signal);
      } catch {
        // woken early or stopping
      }
      if (this.wakeCtl.signal.aborted) this.wakeCtl = new AbortController();
      if (this.stopper.signal.aborted) return;
      if (!this.target.active) continue;
      try {
        await this.target.refresh();
      } catch (err) {
        this.onError(asError(err));
      }
    }
  }
}
