import { EventEmitter } from 'node:events';
import type { Etcd3, Lease } from 'etcd3';
import { type Clock, systemClock } from '../../util/clock.js';
import { DiscoveryUnavailableError } from '../errors.js';
import { renewLease } from '../lease-renewal.js';
import { sleepUnlessAborted } from '../sleep.js';
import { watchKey } from './key-watch.js';

/** Events of a {@link Candidate}. */
export interface CandidateEvents {
  /** This candidate holds the leader key. */
  elected: [];
  /** Leadership was lost (lease expired, key removed, store unreachable past the TTL); it campaigns again. */
  lost: [];
  /** A store error; the loop retries after `retryMs`. */
  error: [Error];
}

/** The leader key and the revision that created it: the guard of writes only the leader may make. */
export interface LeaderFence {
  readonly key: string;
  readonly revision: string;
}

/** Options of a {@link Candidate}. */
export interface CandidateOptions {
  /** Lease TTL in ms (`--replication-ttl`); rounded up to whole seconds, etcd's unit. */
  ttlMs: number;
  /** Pause after a store error before campaigning again (default 1 s). */
  retryMs?: number;
  clock?: Clock;
}

/**
 * Campaigns for the leader key (`<prefix>/docker/swarm/leader`) with `value` (the manager's advertise address).
 *
 * Recipe: wait until the key is absent, grant a lease of the TTL, and create the key bound to it in a transaction
 * guarded by `create_revision == 0`. The winner renews its lease every TTL/3 (a renewal retries on another member
 * until one answers, see {@link renewLease}) and watches the key; it reports `lost` when the key is deleted or taken,
 * when etcd says the lease is gone, or when no keepalive has succeeded for a whole TTL (so it steps down no later
 * than etcd expires it). One member of three stopped costs no leadership. A dead leader's key disappears one TTL after
 * its last keepalive and a waiting candidate is elected right after: failover ≤ TTL + one round trip while its watch
 * stream is up, ≤ 2 TTL + one read's deadline when the stream sits on a member that was cut off (the key is also read
 * every TTL, see {@link watchKey}).
 * `resign()` revokes the lease (the key goes at once, a standby takes over in milliseconds) and awaits the loop.
 */
export class Candidate extends EventEmitter<CandidateEvents> {
  private readonly stop = new AbortController();
  private loop: Promise<void> | undefined;
  private leader = false;
  /** Clock time until which the lease is surely alive in etcd: the send time of its last grant or keepalive + TTL. */
  private validUntil = 0;
  private held: LeaderFence | undefined;
  private readonly clock: Clock;
  private readonly ttlSeconds: number;

  constructor(
    private readonly client: Etcd3,
    readonly key: string,
    readonly value: string,
    private readonly opts: CandidateOptions,
  ) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.ttlSeconds = Math.max(1, Math.ceil(opts.ttlMs / 1000));
  }

  /**
   * True while this candidate holds the key. Checked against the clock, not only the loop's state: a process frozen
   * (SIGSTOP, a long pause) past its TTL wakes up with its loop still saying "leader", and may serve requests before
   * any timer of the loop runs; from the first instant after the lease's sure lifetime it is no longer leader.
   */
  get isLeader(): boolean {
    return this.leader && this.clock.now() < this.validUntil;
  }

  /**
   * While leader: the leader key and the revision that created it. An etcd transaction guarded by
   * `key.create_revision == revision` succeeds only while this candidate's lease (and so its key) is alive, so a
   * leader that was frozen past its TTL and resumes cannot write on behalf of the cluster. Undefined otherwise.
   */
  fence(): LeaderFence | undefined {
    return this.isLeader ? this.held : undefined;
  }

  /** Starts campaigning (idempotent). Attach listeners first. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Stops campaigning, gives up leadership if held (revoking the lease), and waits for the loop to end. */
  async resign(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }

  /** Same as {@link resign}. */
  async close(): Promise<void> {
    await this.resign();
  }

  private async run(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      let lease: Lease | undefined;
      try {
        const won = await this.campaign(signal);
        lease = won?.lease;
        if (!won) break;
        this.held = { key: this.key, revision: won.revision };
        this.validUntil = won.grantedAt + this.ttlSeconds * 1000;
        this.leader = true;
        this.emit('elected');
        await this.hold(won.lease, won.revision, won.grantedAt, signal);
      } catch (err) {
        if (!signal.aborted) this.report(err);
      } finally {
        if (this.leader) {
          this.leader = false;
          this.held = undefined;
          if (!signal.aborted) this.emit('lost');
        }
        await lease?.revoke().catch(() => undefined);
      }
      if (!signal.aborted) await sleepUnlessAborted(this.clock, this.opts.retryMs ?? 1000, signal);
    }
  }

  /**
   * Returns the lease that now owns the key, the revision that created it and the clock time its grant was sent
   * (etcd starts the TTL no earlier), or undefined when aborted.
   */
  private async campaign(
    signal: AbortSignal,
  ): Promise<{ lease: Lease; revision: string; grantedAt: number } | undefined> {
    while (!signal.aborted) {
      const current = await this.client.get(this.key).exec();
      const kv = current.kvs[0];
      if (kv) {
        // Someone leads: wait for the key to be deleted (lease expiry or resign), then try again.
        for await (const ev of watchKey(this.client, this.key, signal, {
          startRevision: String(BigInt(current.header.revision) + 1n),
          pollMs: this.ttlSeconds * 1000,
          clock: this.clock,
        })) {
          if (ev.type === 'delete') break;
        }
        continue;
      }
      const lease = this.client.lease(this.ttlSeconds, { autoKeepAlive: false });
      lease.on('lost', () => undefined);
      const grantedAt = this.clock.now();
      const id = await lease.grant();
      const txn = await this.client
        .if(this.key, 'Create', '==', 0)
        .then(this.client.put(this.key).value(this.value).lease(id))
        .commit();
      if (txn.succeeded) return { lease, revision: txn.header.revision, grantedAt };
      await lease.revoke().catch(() => undefined);
    }
    return undefined;
  }

  private async hold(lease: Lease, revision: string, grantedAt: number, signal: AbortSignal): Promise<void> {
    const lost = new AbortController();
    const both = AbortSignal.any([signal, lost.signal]);
    const id = await lease.grant();
    const watching = (async () => {
      try {
        for await (const ev of watchKey(this.client, this.key, both, {
          startRevision: String(BigInt(revision) + 1n),
          pollMs: this.ttlSeconds * 1000,
          clock: this.clock,
        })) {
          if (ev.type === 'delete' || ev.value !== this.value || ev.lease !== id) break;
        }
      } catch (err) {
        if (!both.aborted) this.report(err);
      } finally {
        lost.abort();
      }
    })();
    const ttlMs = this.ttlSeconds * 1000;
    const period = Math.max(200, Math.floor(ttlMs / 3));
    let lastOk = grantedAt;
    while (!both.aborted) {
      if (!(await sleepUnlessAborted(this.clock, period, both))) break;
      const r = await renewLease(lease, { lastOk, ttlMs, clock: this.clock, signal: both });
      if (r.ok) {
        lastOk = r.sentAt;
        this.validUntil = r.sentAt + ttlMs;
      } else if (!both.aborted) {
        this.report(r.error ?? new Error(`lease not renewed within its TTL (${ttlMs} ms)`));
        lost.abort();
      }
    }
    lost.abort();
    await watching;
  }

  private report(err: unknown): void {
    const e =
      err instanceof Error
        ? new DiscoveryUnavailableError(`leader election: ${err.message}`, { cause: err })
        : err;
    if (this.listenerCount('error') > 0) this.emit('error', e as Error);
  }
}
