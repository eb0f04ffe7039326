import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../host/index.js';
import { type Clock, systemClock } from '../../util/clock.js';
import { DiscoveryUnavailableError, InvalidDiscoveryError } from '../errors.js';
import { validateHostPort } from '../ranges.js';
import { sleepUnlessAborted } from '../sleep.js';
import { canonicalEntries, type Discovery, sameEntries } from '../types.js';

/** The on-disk record of a manager's membership (versioned, written atomically). */
export interface MembershipFile {
  readonly configVersion: 1;
  readonly members: ReadonlyArray<{ readonly addr: string; readonly expiresAt: number }>;
}

/** Options for {@link MembershipRegistry}. */
export interface MembershipRegistryOptions {
  /** JSON file that keeps membership across manager restarts; omit for memory only. */
  file?: string;
  /** TTL used by `register(addr)` without an explicit TTL (the manager's `--ttl`, default 180 s). */
  defaultTtlMs?: number;
  /** Longest TTL a client may ask for (default 1 h), so a typo cannot pin a dead node for days. */
  maxTtlMs?: number;
  clock?: Clock;
}

/**
 * The manager-side registry behind `shoal://` discovery: engines register their address with a TTL (over
 * `POST /shoal/v1/discovery/nodes`, see `src/api/routes/discovery.ts`), entries expire on their own, and the set
 * is saved to `file` after every change (temp file + rename, mode 0600) so a restarted manager keeps its members
 * until their TTL runs out. It is also a {@link Discovery}: the manager watches it like any other backend.
 */
export class MembershipRegistry implements Discovery {
  readonly scheme = 'shoal';
  private readonly members = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private readonly clock: Clock;
  private readonly defaultTtlMs: number;
  private readonly maxTtlMs: number;
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly opts: MembershipRegistryOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.defaultTtlMs = opts.defaultTtlMs ?? 180_000;
    this.maxTtlMs = opts.maxTtlMs ?? 3_600_000;
  }

  /**
   * Loads the membership file, dropping entries that expired while the manager was down. A missing file is an
   * empty registry. @throws DiscoveryUnavailableError when the file exists but is unreadable or corrupt.
   */
  async load(): Promise<void> {
    if (!this.opts.file) return;
    let text: string;
    try {
      text = await readFile(this.opts.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new DiscoveryUnavailableError(`cannot read membership file ${this.opts.file}`, { cause: err });
    }
    let data: MembershipFile;
    try {
      data = JSON.parse(text) as MembershipFile;
    } catch (err) {
      throw new DiscoveryUnavailableError(`corrupt membership file ${this.opts.file}`, { cause: err });
    }
    if (data?.configVersion !== 1 || !Array.isArray(data.members)) {
      throw new DiscoveryUnavailableError(`corrupt membership file ${this.opts.file}: unknown format`);
    }
    const now = this.clock.now();
    for (const m of data.members) {
      if (typeof m.addr === 'string' && typeof m.expiresAt === 'number' && m.expiresAt > now) {
        this.members.set(m.addr, m.expiresAt);
      }
    }
    this.notify();
  }

  /** Live (unexpired) addresses, sorted. */
  list(): string[] {
    const now = this.clock.now();
    return canonicalEntries([...this.members].filter(([, exp]) => exp > now).map(([addr]) => addr));
  }

  /**
   * Adds or refreshes `addr` for `ttlMs` (default: the registry's TTL) and persists the set.
   * @throws InvalidDiscoveryError on a malformed address or a TTL outside 1 s..maxTtl.
   */
  async register(addr: string, ttlMs: number = this.defaultTtlMs): Promise<void> {
    validateHostPort(addr, 'address');
    if (!Number.isFinite(ttlMs) || ttlMs < 1000 || ttlMs > this.maxTtlMs) {
      throw new InvalidDiscoveryError(
        `invalid ttl ${ttlMs}ms: must be between 1s and ${this.maxTtlMs / 1000}s`,
      );
    }
    const wasLive = this.list().includes(addr);
    this.members.set(addr, this.clock.now() + ttlMs);
    await this.persist();
    if (!wasLive) this.notify();
  }

  /** Removes `addr` at once (an agent leaving cleanly). Returns whether it was present. */
  async deregister(addr: string): Promise<boolean> {
    const had = this.members.delete(addr);
    if (had) {
      await this.persist();
      this.notify();
    }
    return had;
  }

  async *watch(signal: AbortSignal): AsyncIterable<string[]> {
    let last: string[] | undefined;
    let dirty = true;
    let waker = new AbortController();
    const listener = (): void => {
      dirty = true;
      waker.abort();
    };
    this.listeners.add(listener);
    try {
      while (!signal.aborted) {
        dirty = false;
        const entries = this.list();
        if (!sameEntries(last, entries)) {
          last = entries;
          yield entries;
        }
        if (dirty) continue;
        waker = new AbortController();
        const both = AbortSignal.any([signal, waker.signal]);
        await sleepUnlessAborted(this.clock, this.untilNextExpiry(), both);
      }
    } finally {
      this.listeners.delete(listener);
    }
  }

  async close(): Promise<void> {
    await this.saving;
  }

  private untilNextExpiry(): number {
    const now = this.clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const exp of this.members.values()) if (exp > now && exp < next) next = exp;
    // Wake at the next expiry (+1 ms so it has passed); with no members, sleep until a change arrives.
    return Number.isFinite(next) ? next - now + 1 : 2_147_000_000;
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }

  private async persist(): Promise<void> {
    const file = this.opts.file;
    if (!file) return;
    const now = this.clock.now();
    const data: MembershipFile = {
      configVersion: 1,
      members: [...this.members].filter(([, e]) => e > now).map(([addr, expiresAt]) => ({ addr, expiresAt })),
    };
    const write = async (): Promise<void> => {
      try {
        await writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`, 0o600);
      } catch (err) {
        throw new DiscoveryUnavailableError(`cannot save membership file ${file}`, { cause: err });
      }
    };
    // Writes are chained so an older snapshot never lands after a newer one.
    const next = this.saving.then(write, write);
    this.saving = next.catch(() => undefined);
    await next;
  }
}
