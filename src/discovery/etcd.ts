import type { Etcd3, Lease, Watcher } from 'etcd3';
import { type Clock, systemClock } from '../util/clock.js';
import { DiscoveryUnavailableError, InvalidDiscoveryError } from './errors.js';
import {
  createEtcdClient,
  DEFAULT_KV_PATH,
  type EtcdTarget,
  etcdKey,
  parseEtcdTarget,
} from './etcd-client.js';
import { KEEPALIVE_ATTEMPT_MS, renewLease } from './lease-renewal.js';
import { validateHostPort } from './ranges.js';
import { settleWithin, sleepUnlessAborted, WATCH_CANCEL_WAIT_MS } from './sleep.js';
import { canonicalEntries, type Discovery, type DiscoveryOptions, sameEntries } from './types.js';

/**
 * `etcd://H1:P1,H2:P2/prefix` on the etcd v3 API. Each node is the key `<prefix>/<kv.path>/<addr>` (default
 * `kv.path` is `docker/swarm/nodes`) holding `addr`, bound to a lease of `--ttl`. `register()` keeps that lease
 * alive once per call (one call per heartbeat) and re-grants it if it expired, so a dead agent's key disappears
 * about one TTL after its last heartbeat. `watch()` watches the prefix and re-emits the full list on each change, and
 * reads it once per heartbeat besides, so a watch stream stuck on a lost member delays a change by one heartbeat.
 */
export class EtcdDiscovery implements Discovery {
  readonly scheme = 'etcd';
  readonly target: EtcdTarget;
  /** The directory nodes register under, without a trailing slash. */
  readonly dir: string;
  private client: Etcd3 | undefined;
  private lease: Lease | undefined;
  private leaseAddr: string | undefined;
  private readonly ttlSeconds: number;

  /** @throws InvalidDiscoveryError on a malformed URL or TLS options. */
  constructor(
    rest: string,
    private readonly opts: DiscoveryOptions,
    private readonly clock: Clock = systemClock,
  ) {
    const options = opts.options ?? {};
    this.target = parseEtcdTarget(rest, options);
    const kvPath = (options['kv.path'] ?? DEFAULT_KV_PATH).replace(/^\/+|\/+$/g, '');
    if (!kvPath) throw new InvalidDiscoveryError('kv.path must not be empty');
    this.dir = etcdKey(this.target, kvPath);
    this.ttlSeconds = Math.max(1, Math.ceil(opts.ttlMs / 1000));
  }

  private etcd(): Etcd3 {
    this.client ??= createEtcdClient(this.target, this.opts.etcdObserver);
    return this.client;
  }

  /** Reads the current list once. @throws DiscoveryUnavailableError when etcd cannot be reached. */
  async list(): Promise<string[]> {
    return (await this.read()).entries;
  }

  private async read(): Promise<{ entries: string[]; nextRevision: string }> {
    try {
      const res = await this.etcd().getAll().prefix(`${this.dir}/`).exec();
      const values = res.kvs.map((kv) => kv.value.toString()).filter((v) => isHostPort(v));
      return { entries: canonicalEntries(values), nextRevision: String(BigInt(res.header.revision) + 1n) };
    } catch (err) {
      throw new DiscoveryUnavailableError(`cannot list ${this.dir} in etcd: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  async *watch(signal: AbortSignal, onError?: (err: Error) => void): AsyncIterable<string[]> {
    let last: string[] | undefined;
    while (!signal.aborted) {
      let watcher: Watcher | undefined;
      let wake: (() => void) | undefined;
      let dirty = true;
      let failure: Error | undefined;
      const poke = (): void => {
        dirty = true;
        wake?.();
      };
      const onAbort = (): void => wake?.();
      signal.addEventListener('abort', onAbort, { once: true });
      const round = new AbortController();
      try {
        // Read first (fails fast when etcd is down), then watch from the next revision so nothing is missed.
        const first = await this.read();
        if (!sameEntries(last, first.entries)) {
          last = first.entries;
          yield first.entries;
        }
        dirty = false;
        const builder = this.etcd().watch().prefix(`${this.dir}/`).startRevision(first.nextRevision);
        // Not awaited, and the list is read again every heartbeat besides: a watch stream opened on a member that was
        // cut off without a reset waits minutes for its TCP connect (see watchKey in election/key-watch.ts).
        builder.create().then(
          (w) => {
            if (round.signal.aborted) {
              w.cancel().catch(() => undefined);
              return;
            }
            watcher = w;
            w.on('put', poke).on('delete', poke).on('connected', poke);
            w.on('error', (err) => {
              failure = err;
              wake?.();
            });
          },
          (err: unknown) => {
            failure = err instanceof Error ? err : new Error(String(err));
            wake?.();
          },
        );
        void (async () => {
          while (await sleepUnlessAborted(this.clock, this.opts.heartbeatMs, round.signal)) poke();
        })();
        while (!signal.aborted) {
          if (failure) throw failure;
          if (dirty) {
            dirty = false;
            const entries = (await this.read()).entries;
            if (!sameEntries(last, entries)) {
              last = entries;
              yield entries;
            }
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
      } catch (err) {
        if (signal.aborted) break;
        onError?.(err instanceof DiscoveryUnavailableError ? err : wrap(err));
        await sleepUnlessAborted(this.clock, this.opts.heartbeatMs, signal);
      } finally {
        signal.removeEventListener('abort', onAbort);
        round.abort();
        if (watcher) await settleWithin(watcher.cancel(), WATCH_CANCEL_WAIT_MS);
      }
    }
  }

  async register(addr: string): Promise<void> {
    validateHostPort(addr, 'address');
    try {
      if (this.lease && this.leaseAddr === addr) {
        // A few attempts, each with a deadline (a dead member must not hold the heartbeat); then a new lease.
        const renewed = await renewLease(this.lease, {
          lastOk: this.clock.now(),
          ttlMs: Math.min(this.ttlSeconds * 1000, 3 * KEEPALIVE_ATTEMPT_MS),
          clock: this.clock,
          signal: new AbortController().signal,
        });
        if (!renewed.ok) this.lease = undefined;
      }
      if (!this.lease || this.leaseAddr !== addr) {
        const lease = this.etcd().lease(this.ttlSeconds, { autoKeepAlive: false });
        lease.on('lost', () => undefined);
        await lease.grant();
        this.lease = lease;
        this.leaseAddr = addr;
      }
      await this.lease.put(`${this.dir}/${addr}`).value(addr);
    } catch (err) {
      this.lease = undefined;
      throw wrap(err);
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.lease = undefined;
    client?.close();
  }
}

function isHostPort(v: string): boolean {
  try {
    validateHostPort(v);
    return true;
  } catch {
    return false;
  }
}

function wrap(err: unknown): DiscoveryUnavailableError {
  return new DiscoveryUnavailableError(`etcd: ${(err as Error).message ?? String(err)}`, { cause: err });
}
