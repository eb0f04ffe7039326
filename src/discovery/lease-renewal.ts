import type { Lease } from 'etcd3';
import type { Clock } from '../util/clock.js';
import { etcd3 } from './etcd-client.js';
import { sleepUnlessAborted } from './sleep.js';

/** How long one keepalive may take before it is given up and sent again (another member, most likely). */
export const KEEPALIVE_ATTEMPT_MS = 1000;
/** Pause between two keepalive attempts of one renewal. */
export const KEEPALIVE_RETRY_MS = 100;

/** Outcome of {@link renewLease}: renewed (with the time the winning keepalive was sent), or not, and why. */
export type Renewal =
  | { readonly ok: true; readonly sentAt: number }
  | { readonly ok: false; readonly gone: boolean; readonly error: Error | undefined };

/**
 * Keeps sending keepalives for `lease` until one is answered, etcd says the lease is gone (`gone`), the lease's TTL
 * since `lastOk` has run out, or `signal` aborts. Each attempt has its own deadline ({@link KEEPALIVE_ATTEMPT_MS},
 * never past the TTL), and a failed attempt is followed by another after {@link KEEPALIVE_RETRY_MS}.
 *
 * Why not one keepalive per period: the etcd client picks a member at random for each keepalive stream and does not
 * avoid a member it just saw fail, so with one member of three stopped a third of the keepalives go nowhere; two
 * such picks in a row used to cost a TTL of 3 s its lease although the cluster had its quorum. A member that does
 * not answer at all (stopped by a signal, its link down) would also hold a keepalive with no deadline forever.
 */
export async function renewLease(
  lease: Lease,
  opts: { lastOk: number; ttlMs: number; clock: Clock; signal: AbortSignal },
): Promise<Renewal> {
  const { clock, signal } = opts;
  let last: Error | undefined;
  while (!signal.aborted) {
    const sentAt = clock.now();
    const left = opts.lastOk + opts.ttlMs - sentAt;
    if (left <= 0) break;
    try {
      await lease.keepaliveOnce({ deadline: new Date(Date.now() + Math.min(KEEPALIVE_ATTEMPT_MS, left)) });
      return { ok: true, sentAt };
    } catch (err) {
      last = err as Error;
      if (err instanceof etcd3().EtcdLeaseInvalidError || lease.revoked())
        return { ok: false, gone: true, error: last };
    }
    await sleepUnlessAborted(clock, KEEPALIVE_RETRY_MS, signal);
  }
  return { ok: false, gone: false, error: last };
}
