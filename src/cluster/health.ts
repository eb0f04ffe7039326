import type { Rng } from '../util/rng.js';

/** An engine's life-cycle state (docs/behaviour/nodes.md#states). */
export type EngineState = 'pending' | 'healthy' | 'unhealthy' | 'disconnected';

/** What a health change means for the cluster's swarm events. */
export type HealthTransition = 'engine_disconnect' | 'engine_reconnect';

/**
 * Failure accounting and the Healthy ⇄ Unhealthy state machine of one engine
 * (docs/behaviour/nodes.md#failures). Pure: no I/O, no timers. Every connection failure increments
 * `failureCount`; once it reaches `failureRetry` a healthy engine turns unhealthy. Any success resets the
 * count and turns an unhealthy engine healthy again.
 */
export class EngineHealth {
  state: EngineState = 'pending';
  failureCount = 0;
  /** Text of the last connection error; cleared on success. */
  lastError = '';

  constructor(readonly failureRetry: number) {}

  /** Records a connection failure; returns `engine_disconnect` when it made a healthy engine unhealthy. */
  failure(message: string): HealthTransition | undefined {
    this.failureCount++;
    this.lastError = message;
    if (this.state === 'healthy' && this.failureCount >= this.failureRetry) {
      this.state = 'unhealthy';
      return 'engine_disconnect';
    }
    return undefined;
  }

  /** Records a successful call; returns `engine_reconnect` when it made an unhealthy engine healthy. */
  success(): HealthTransition | undefined {
    this.failureCount = 0;
    this.lastError = '';
    if (this.state === 'unhealthy') {
      this.state = 'healthy';
      return 'engine_reconnect';
    }
    return undefined;
  }

  /**
   * 0 unless healthy and below the retry limit, else `100 − failures×100/retry` (integer arithmetic,
   * docs/behaviour/nodes.md#health-indicator).
   */
  get healthIndicator(): number {
    if (this.state !== 'healthy' || this.failureCount >= this.failureRetry) return 0;
    return 100 - Math.trunc((this.failureCount * 100) / this.failureRetry);
  }
}

/**
 * Delay before the next refresh of a validated engine (docs/behaviour/nodes.md#refresh):
 * `min × (1 + backoff) + random[0, max − min)` with
 * `backoff = min(1000, max(0, failureCount − failureRetry))`.
 */
export function refreshDelay(
  minMs: number,
  maxMs: number,
  failureCount: number,
  failureRetry: number,
  rng: Rng,
): number {
  const backoff = Math.min(1000, Math.max(0, failureCount - failureRetry));
  const jitter = maxMs > minMs ? Math.floor(rng() * (maxMs - minMs)) : 0;
  return minMs * (1 + backoff) + jitter;
}

/**
 * Pending engines are retried every 10 s when their last attempt is this old
 * (docs/behaviour/nodes.md#pending-engines).
 */
export const PENDING_RETRY_PERIOD_MS = 10_000;

/**
 * True when a pending engine is due for another validation attempt: its last update is older than
 * `2^failureCount s + 30 s`, or older than 4 hours (the cap for huge failure counts).
 */
export function pendingRetryDue(nowMs: number, updatedAtMs: number, failureCount: number): boolean {
  const age = nowMs - updatedAtMs;
  if (age >= 4 * 3600_000) return true;
  const waitMs = (2 ** Math.min(failureCount, 30) + 30) * 1000;
  return age >= waitMs;
}
