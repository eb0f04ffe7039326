import { EventEmitter } from 'node:events';
import type { Etcd3 } from 'etcd3';
import { type Clock, systemClock } from '../../util/clock.js';
import { DiscoveryUnavailableError } from '../errors.js';
import { sleepUnlessAborted } from '../sleep.js';
import { watchKey } from './key-watch.js';

const DEFAULT_POLL_MS = 3000;

/** Events of a {@link Follower}. */
export interface FollowerEvents {
  /** A (new) primary address. Emitted again if the same address is elected after a gap with no leader. */
  leader: [string];
  /** The leader key was removed: there is no primary until the next `leader` event. */
  vacant: [];
  /** A store error; the follower retries after `retryMs`. */
  error: [Error];
}

/**
 * Follows the leader key: reads it, then watches it, emitting `leader` with each new non-empty value (Swarm's
 * "New leader elected: <addr>") and `vacant` when it disappears. `close()` stops the watch and awaits the loop.
 */
export class Follower extends EventEmitter<FollowerEvents> {
  private readonly stop = new AbortController();
  private loop: Promise<void> | undefined;
  private current: string | undefined;
  private readonly clock: Clock;

  constructor(
    private readonly client: Etcd3,
    readonly key: string,
    private readonly opts: {
      retryMs?: number;
      /** Read the key this often besides watching it (see {@link watchKey}); default 3 s. */
      pollMs?: number;
      clock?: Clock;
    } = {},
  ) {
    super();
    this.clock = opts.clock ?? systemClock;
  }

  /** The last known primary address, or undefined when none is known. */
  get leader(): string | undefined {
    return this.current;
  }

  /** Starts following (idempotent). Attach listeners first. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Stops following and waits for the loop to end. */
  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }

  private see(value: string | undefined): void {
    if (!value) {
      if (this.current !== undefined) {
        this.current = undefined;
        this.emit('vacant');
      }
      return;
    }
    if (value !== this.current) {
      this.current = value;
      this.emit('leader', value);
    }
  }

  private async run(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      try {
        const res = await this.client.get(this.key).exec();
        this.see(res.kvs[0]?.value.toString());
        const from = String(BigInt(res.header.revision) + 1n);
        const watch = watchKey(this.client, this.key, signal, {
          startRevision: from,
          pollMs: this.opts.pollMs ?? DEFAULT_POLL_MS,
          clock: this.clock,
        });
        for await (const ev of watch) {
          this.see(ev.type === 'put' ? ev.value : undefined);
        }
      } catch (err) {
        if (signal.aborted) break;
        const e = new DiscoveryUnavailableError(`leader follower: ${(err as Error).message}`, { cause: err });
        if (this.listenerCount('error') > 0) this.emit('error', e);
        await sleepUnlessAborted(this.clock, this.opts.retryMs ?? 1000, signal);
      }
    }
  }
}
