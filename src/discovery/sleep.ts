import type { Clock } from '../util/clock.js';

/** Sleeps `ms` on `clock`; resolves `false` instead of rejecting when `signal` aborts first. */
export async function sleepUnlessAborted(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await clock.sleep(ms, signal);
    return true;
  } catch {
    return false;
  }
}
