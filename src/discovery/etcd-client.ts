import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Etcd3, IOptions } from 'etcd3';
import { InvalidDiscoveryError } from './errors.js';
import { validateHostPort } from './ranges.js';

const require = createRequire(import.meta.url);
let etcd3Module: typeof import('etcd3') | undefined;

/**
 * The etcd3 library, loaded on first use. With the gRPC stack under it, loading it takes about a fifth of every
 * `shoal` start (120 of 540 ms for `shoal manage --help`), and most commands never talk to etcd: the machine
 * commands, `list`, and `manage`/`join` with any discovery but `etcd://`.
 */
export function etcd3(): typeof import('etcd3') {
  etcd3Module ??= require('etcd3') as typeof import('etcd3');
  return etcd3Module;
}

/** Classic Swarm's default `kv.path`: where nodes register under the URL's prefix. */
export const DEFAULT_KV_PATH = 'docker/swarm/nodes';
/** The leader key (under the URL's prefix) used by `--replication`. */
export const LEADER_PATH = 'docker/swarm/leader';

/** A parsed `etcd://H1:P1,H2:P2/prefix` target. */
export interface EtcdTarget {
  /** `host:port` endpoints, in the given order. */
  readonly endpoints: readonly string[];
  /** The key prefix without leading or trailing slashes (may be empty). */
  readonly prefix: string;
  /** TLS material from `kv.cacertfile`/`kv.certfile`/`kv.keyfile`, when all three were given. */
  readonly tls?: { readonly caFile: string; readonly certFile: string; readonly keyFile: string };
}

/**
 * Parses the part of an `etcd://` URL after the scheme, plus the `kv.*` TLS options.
 * @throws InvalidDiscoveryError on no endpoint, a bad `host:port`, or only some of the three TLS files.
 */
export function parseEtcdTarget(rest: string, options: Readonly<Record<string, string>> = {}): EtcdTarget {
  const slash = rest.indexOf('/');
  const hostPart = slash >= 0 ? rest.slice(0, slash) : rest;
  const prefix = slash >= 0 ? rest.slice(slash + 1).replace(/^\/+|\/+$/g, '') : '';
  const endpoints = hostPart
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  if (endpoints.length === 0)
    throw new InvalidDiscoveryError('etcd:// discovery needs at least one HOST:PORT');
  for (const e of endpoints) validateHostPort(e, 'etcd endpoint');
  const caFile = options['kv.cacertfile'];
  const certFile = options['kv.certfile'];
  const keyFile = options['kv.keyfile'];
  const given = [caFile, certFile, keyFile].filter(Boolean).length;
  if (given > 0 && given < 3) {
    throw new InvalidDiscoveryError(
      'kv.cacertfile, kv.certfile and kv.keyfile must be given together for TLS',
    );
  }
  return caFile && certFile && keyFile
    ? { endpoints, prefix, tls: { caFile, certFile, keyFile } }
    : { endpoints, prefix };
}

/** Joins key segments under the target's prefix (`prefix/a/b`, or `a/b` with no prefix). */
export function etcdKey(target: EtcdTarget, ...parts: string[]): string {
  return [target.prefix, ...parts].filter((p) => p !== '').join('/');
}

/** Sees every finished etcd call (metrics): its duration in seconds, retries included, and whether it failed. */
export interface EtcdCallObserver {
  observe(seconds: number, failed: boolean): void;
}

type GlobalPolicy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/** Retries of a call that failed with a recoverable error (etcd3's default global policy: 3, no delay). */
const CALL_RETRIES = 3;

/**
 * etcd3's default global fault policy (retry a recoverable error up to 3 times at once) with each call timed for
 * `observer`. The client only calls `execute` on its global policy.
 */
function observedPolicy(observer: EtcdCallObserver): GlobalPolicy {
  const policy = {
    async execute<T>(
      fn: (ctx: { signal: AbortSignal }) => PromiseLike<T> | T,
      signal?: AbortSignal,
    ): Promise<T> {
      const start = performance.now();
      const ctx = { signal: signal ?? new AbortController().signal };
      for (let attempt = 0; ; attempt++) {
        try {
          const out = await fn(ctx);
          observer.observe((performance.now() - start) / 1000, false);
          return out;
        } catch (err) {
          if (attempt < CALL_RETRIES && !ctx.signal.aborted && etcd3().isRecoverableError(err as Error))
            continue;
          observer.observe((performance.now() - start) / 1000, true);
          throw err;
        }
      }
    },
  };
  return policy as unknown as GlobalPolicy;
}

/** Deadline of one attempt of a unary etcd call; a member that stopped answering costs this, then another is tried. */
export const ETCD_CALL_TIMEOUT_MS = 5000;

/**
 * Opens an etcd v3 client for the target (https + client certificate when TLS files were given); `observer` sees
 * every call's duration and outcome. Unary calls get a deadline of {@link ETCD_CALL_TIMEOUT_MS} per attempt
 * (retried on another member); streams (watches, lease keepalives) have none but are pinged.
 * @throws InvalidDiscoveryError when a TLS file cannot be read.
 */
export function createEtcdClient(target: EtcdTarget, observer?: EtcdCallObserver): Etcd3 {
  const scheme = target.tls ? 'https' : 'http';
  const opts: IOptions = {
    hosts: target.endpoints.map((e) => `${scheme}://${e}`),
    // A member cut off without a reset (host down, link lost) would otherwise hold watches and calls until TCP gives
    // up, minutes later; pings find it dead within about 15 s and the client moves to another member. etcd answers
    // pings more frequent than its --grpc-keepalive-min-time (5 s) by closing the connection, hence 10 s.
    grpcOptions: { 'grpc.keepalive_time_ms': 10_000, 'grpc.keepalive_timeout_ms': 5000 },
    defaultCallOptions: (ctx) =>
      ctx.isStream ? {} : { deadline: new Date(Date.now() + ETCD_CALL_TIMEOUT_MS) },
  };
  if (observer) opts.faultHandling = { global: observedPolicy(observer) };
  if (target.tls) {
    try {
      opts.credentials = {
        rootCertificate: readFileSync(target.tls.caFile),
        certChain: readFileSync(target.tls.certFile),
        privateKey: readFileSync(target.tls.keyFile),
      };
    } catch (err) {
      throw new InvalidDiscoveryError(`cannot read KV TLS files: ${(err as Error).message}`, { cause: err });
    }
  }
  return new (etcd3().Etcd3)(opts);
}
