import { EventEmitter } from 'node:events';
import type { Candidate, Follower, LeaderElection, LeaderFence } from '../discovery/election/index.js';
import { type Clock, systemClock } from '../util/clock.js';

/** A manager's role in a replicated set (`Role:` in `docker info`). */
export type ManagerRole = 'primary' | 'replica';

/** Events of {@link Replication}. */
export interface ReplicationEvents {
  /** This manager became the primary ("Cluster leadership acquired"). */
  elected: [];
  /** This manager lost the primary role ("Cluster leadership lost"). */
  lost: [];
  /** A (new) primary address was seen ("New leader elected: <addr>"). */
  leader: [string];
  /** The leader key disappeared: no primary until the next `leader` (a failover starts). */
  vacant: [];
  /** A store error in the candidate or follower loop (they retry by themselves). */
  error: [Error];
}

/**
 * One manager's part in `--replication`: a {@link Candidate} campaigning with the manager's `--advertise` address
 * and a {@link Follower} of the leader key. The role is `primary` exactly while the candidate holds the key; the
 * primary's address is the follower's last value (or this manager's own address while primary).
 *
 * No request is ever replayed on a role change: a replica forwards requests as they arrive and the new primary only
 * serves requests sent to it after it was elected, so a create in flight during failover lands at most once.
 */
export class Replication extends EventEmitter<ReplicationEvents> {
  private readonly candidate: Candidate;
  private readonly follower: Follower;
  private readonly clock: Clock;
  private waiters = new Set<() => void>();

  constructor(
    private readonly election: LeaderElection,
    /** This manager's advertised `host:port`. */
    readonly advertise: string,
    opts: { clock?: Clock } = {},
  ) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.candidate = election.candidate(advertise);
    this.follower = election.follower();
    this.candidate.on('elected', () => {
      this.wake();
      this.emit('elected');
    });
    this.candidate.on('lost', () => this.emit('lost'));
    this.candidate.on('error', (e) => this.emit('error', e));
    this.follower.on('leader', (addr) => {
      this.wake();
      this.emit('leader', addr);
    });
    this.follower.on('vacant', () => this.emit('vacant'));
    this.follower.on('error', (e) => this.emit('error', e));
  }

  /** Starts campaigning and following. Attach listeners first. */
  start(): void {
    this.candidate.start();
    this.follower.start();
  }

  /** `primary` while this manager holds the leader key, else `replica`. */
  role(): ManagerRole {
    return this.candidate.isLeader ? 'primary' : 'replica';
  }

  /** The guard of writes only the primary may make (see `Candidate.fence`); undefined unless primary. */
  fence(): LeaderFence | undefined {
    return this.candidate.fence();
  }

  /**
   * The primary's advertised address, or undefined when none is known. The leader key naming this manager while its
   * candidate no longer holds a live lease (it was frozen past the TTL and has not heard the news yet) names no
   * primary: such a manager must neither serve as primary nor forward to itself.
   */
  primary(): string | undefined {
    if (this.candidate.isLeader) return this.advertise;
    const seen = this.follower.leader;
    return seen === this.advertise ? undefined : seen;
  }

  /**
   * Resolves with the primary's address as soon as one is known, or undefined after `timeoutMs` (or when `signal`
   * aborts).
   */
  async waitForPrimary(timeoutMs: number, signal?: AbortSignal): Promise<string | undefined> {
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      const p = this.primary();
      if (p) return p;
      const left = deadline - this.clock.now();
      if (left <= 0 || signal?.aborted) return undefined;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.waiters.delete(done);
          ac.abort();
          resolve();
        };
        const ac = new AbortController();
        this.waiters.add(done);
        this.clock
          .sleep(Math.min(left, 250), AbortSignal.any([ac.signal, ...(signal ? [signal] : [])]))
          .then(done, done);
      });
    }
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resigns (the key is released at once so a replica takes over), stops following and closes the etcd client. */
  async close(): Promise<void> {
    await this.candidate.resign();
    await this.follower.close();
    await this.election.close();
    this.wake();
  }
}
