import type { Clock } from '../util/clock.js';

/**
 * Progress lines of `up` stamped with the seconds since it began (`[   3.2s] KV cluster: done (1.1s)`); the
 * stamp's shape is what `bench:up` reads back.
 */
export class TimedProgress {
  private readonly t0: number;

  constructor(
    private readonly clock: Clock,
    private readonly sink: (line: string) => void = () => undefined,
  ) {
    this.t0 = clock.now();
  }

  /** Writes one stamped line. */
  readonly say = (line: string): void => {
    this.sink(`[${(this.elapsedMs() / 1000).toFixed(1).padStart(6)}s] ${line}`);
  };

  /** Milliseconds since the start. */
  elapsedMs(): number {
    return this.clock.now() - this.t0;
  }
}
