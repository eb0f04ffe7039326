import type { Etcd3, Watcher } from 'etcd3';
import { raceAbort } from '../sleep.js';

/** One change of a watched key. `lease` is etcd's lease ID ("0" when none). */
export type KeyEvent = { type: 'put'; value: string; lease: string } | { type: 'delete' };

/**
 * Watches one etcd key as an async iterable, from `startRevision` when given (so nothing between a read and the
 * watch is missed). Ends when `signal` aborts; a watcher error is thrown out of the iteration. The watcher is
 * always cancelled on exit.
 */
export async function* watchKey(
  client: Etcd3,
  key: string,
  signal: AbortSignal,
  startRevision?: string,
): AsyncIterable<KeyEvent> {
  const builder = client.watch().key(key);
  if (startRevision) builder.startRevision(startRevision);
  const watcher: Watcher = await raceAbort(builder.create(), signal, (w) => w.cancel());
  const queue: Array<KeyEvent | Error> = [];
  let wake: (() => void) | undefined;
  const push = (x: KeyEvent | Error): void => {
    queue.push(x);
    wake?.();
  };
  const onAbort = (): void => wake?.();
  signal.addEventListener('abort', onAbort, { once: true });
  watcher.on('put', (kv) => push({ type: 'put', value: kv.value.toString(), lease: String(kv.lease) }));
  watcher.on('delete', () => push({ type: 'delete' }));
  watcher.on('error', (err) => push(err));
  try {
    while (!signal.aborted) {
      const next = queue.shift();
      if (next instanceof Error) throw next;
      if (next) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    await watcher.cancel().catch(() => undefined);
  }
}
