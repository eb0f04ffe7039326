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

/** How long the end of a watch waits for etcd to confirm its cancellation. */
export const WATCH_CANCEL_WAIT_MS = 1000;

/**
 * Waits for `p` to settle, or `ms` at most (the promise goes on unobserved). Cancelling an etcd watch waits for the
 * member's answer, which a member that went silent never gives: closing a watch must not hang on it.
 */
export async function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((r) => {
      timer = setTimeout(r, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}
