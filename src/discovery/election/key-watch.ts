import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import { type Clock, systemClock } from '../../util/clock.js';
import { settleWithin, sleepUnlessAborted, WATCH_CANCEL_WAIT_MS } from '../sleep.js';

/** One change of a watched key. `lease` is etcd's lease ID ("0" when none). */
export type KeyEvent = { type: 'put'; value: string; lease: string } | { type: 'delete' };

/** Options of {@link watchKey}. */
export interface KeyWatchOptions {
  /** Watch from this revision (so nothing between a read and the watch is missed). */
  startRevision?: string;
  /**
   * Also read the key every `pollMs` (a unary call, with a deadline, retried on another member) and report its state
   * when it is newer than what the watch gave. Default: no reads.
   */
  pollMs?: number;
  clock?: Clock;
}

/**
 * Merges the key's states from two sources, the watch (each event at its `mod_revision`) and reads (each at the
 * revision of the store it read): a state at a revision not above the newest one offered is stale and dropped, and
 * so is a state equal to the last one passed on.
 */
export class KeyStates {
  private newest: bigint;
  private last: KeyEvent | undefined;

  /** `startRevision`: the first revision of interest (the revision after the caller's own read). */
  constructor(startRevision?: string) {
    this.newest = startRevision ? BigInt(startRevision) - 1n : -1n;
  }

  /** True when `event`, seen at `revision`, is to be passed on. */
  offer(event: KeyEvent, revision: bigint): boolean {
    if (revision <= this.newest) return false;
    this.newest = revision;
    const last = this.last;
    this.last = event;
    if (!last || last.type !== event.type) return true;
    return (
      last.type === 'put' &&
      event.type === 'put' &&
      (last.value !== event.value || last.lease !== event.lease)
    );
  }
}

/**
 * Watches one etcd key as an async iterable. Ends when `signal` aborts; a watcher error is thrown out of the
 * iteration. The watcher is always cancelled on exit.
 *
 * Why the reads: the etcd client keeps one watch stream per client, on one member, and a stream (unlike a unary call)
 * has no deadline. When that member is cut off without a reset (link down, host gone), pings find the connection dead
 * and the stream is opened again on a member picked at random; if the pick is the lost member again, the new stream
 * waits for a TCP connect that nothing answers, which takes the kernel about two minutes to give up. A waiting
 * candidate would miss the leader key's deletion all that time. Reads every `pollMs` bound that to one period.
 * A read may repeat the current state (consumers treat events as states, so a repeat changes nothing); one older
 * than an event already given is dropped, and so are watch events older than a read already given.
 */
export async function* watchKey(
  client: Etcd3,
  key: string,
  signal: AbortSignal,
  opts: KeyWatchOptions = {},
): AsyncIterable<KeyEvent> {
  const clock = opts.clock ?? systemClock;
  const done = new AbortController();
  const both = AbortSignal.any([signal, done.signal]);
  const queue: Array<{ event: KeyEvent; revision: bigint } | Error> = [];
  let wake: (() => void) | undefined;
  const push = (x: { event: KeyEvent; revision: bigint } | Error): void => {
    queue.push(x);
    wake?.();
  };
  const onAbort = (): void => wake?.();
  signal.addEventListener('abort', onAbort, { once: true });

  const fromWatch = (type: 'put' | 'delete', kv: IKeyValue): void => {
    const event: KeyEvent =
      type === 'put' ? { type, value: kv.value.toString(), lease: String(kv.lease) } : { type };
    push({ event, revision: BigInt(kv.mod_revision) });
  };
  const builder = client.watch().key(key);
  if (opts.startRevision) builder.startRevision(opts.startRevision);
  // Not awaited: a watch stream stuck connecting must not hold the reads back. One that connects after the end is
  // cancelled at once.
  let watcher: Watcher | undefined;
  builder.create().then(
    (w) => {
      if (both.aborted) {
        w.cancel().catch(() => undefined);
        return;
      }
      watcher = w;
      w.on('put', (kv) => fromWatch('put', kv));
      w.on('delete', (kv) => fromWatch('delete', kv));
      w.on('error', (err) => push(err));
    },
    (err: unknown) => push(err instanceof Error ? err : new Error(String(err))),
  );
  const pollMs = opts.pollMs;
  if (pollMs !== undefined) {
    // Not awaited at the end either: a read in flight finishes (or fails) on its own and reports nothing.
    void (async () => {
      while (await sleepUnlessAborted(clock, pollMs, both)) {
        try {
          const res = await client.get(key).exec();
          const kv = res.kvs[0];
          const event: KeyEvent = kv
            ? { type: 'put', value: kv.value.toString(), lease: String(kv.lease) }
            : { type: 'delete' };
          if (!both.aborted) push({ event, revision: BigInt(res.header.revision) });
        } catch {
          // The store may be unreachable: the watch, or the next read, will tell.
        }
      }
    })();
  }

  const merged = new KeyStates(opts.startRevision);
  try {
    while (!signal.aborted) {
      const next = queue.shift();
      if (next instanceof Error) throw next;
      if (next) {
        if (merged.offer(next.event, next.revision)) yield next.event;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    done.abort();
    if (watcher) await settleWithin(watcher.cancel(), WATCH_CANCEL_WAIT_MS);
  }
}
