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

/**
 * Awaits `p` unless `signal` aborts first, in which case it rejects with the signal's reason and hands the late
 * result to `dispose` (e.g. to cancel a watcher that connected after the caller gave up).
 */
export async function raceAbort<T>(
  p: Promise<T>,
  signal: AbortSignal,
  dispose: (value: T) => unknown,
): Promise<T> {
  if (signal.aborted) {
    p.then(dispose, () => undefined).catch(() => undefined);
    throw signal.reason;
  }
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([p, aborted]);
  } catch (err) {
    if (signal.aborted) p.then(dispose, () => undefined).catch(() => undefined);
    throw err;
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
