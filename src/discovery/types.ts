import type { EtcdCallObserver } from './etcd-client.js';

/**
 * The contract every discovery backend implements (STYLE rule 12). A backend is chosen by the URL scheme and built
 * by the factory in `registry.ts`; entries are always `host:port` strings.
 */
export interface Discovery {
  /** The scheme this backend serves (`nodes`, `file`, `etcd`, `shoal`). */
  readonly scheme: string;
  /**
   * Streams entry sets: the full, sorted, de-duplicated list each time it changes (the first set is emitted as soon
   * as it is known, even when empty). Ends when `signal` aborts; store errors are retried every heartbeat, and
   * reported to `onError` when given, never thrown out of the iteration.
   */
  watch(signal: AbortSignal, onError?: (err: Error) => void): AsyncIterable<string[]>;
  /**
   * Registers (or refreshes) `addr` with an expiry of the configured TTL. Call it every heartbeat.
   * @throws RegisterNotSupportedError for static backends; DiscoveryUnavailableError when the store is unreachable.
   */
  register(addr: string): Promise<void>;
  /** Releases clients and connections. Idempotent. */
  close(): Promise<void>;
}

/** Options shared by every backend, from `--heartbeat`, `--ttl` and `--discovery-opt`. */
export interface DiscoveryOptions {
  /** Poll / re-registration period in ms (`--heartbeat`, default 60 s). */
  heartbeatMs: number;
  /** Registration expiry in ms (`--ttl`, default 180 s). */
  ttlMs: number;
  /** `--discovery-opt key=value` pairs (`kv.path`, `kv.cacertfile`, `kv.certfile`, `kv.keyfile`). */
  options?: Readonly<Record<string, string>>;
  /** Sees every etcd call of an `etcd://` backend (metrics). */
  etcdObserver?: EtcdCallObserver;
}

/** Builds a backend for one parsed discovery URL. `rest` is the text after `scheme://`. */
export type DiscoveryFactory = (rest: string, opts: DiscoveryOptions) => Discovery;

/** Compares two entry sets (both sorted). */
export function sameEntries(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Sorts and de-duplicates entries, the canonical form a watch emits. */
export function canonicalEntries(entries: Iterable<string>): string[] {
  return [...new Set(entries)].sort();
}
