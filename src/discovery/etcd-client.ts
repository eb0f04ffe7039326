import { readFileSync } from 'node:fs';
import { Etcd3, type IOptions } from 'etcd3';
import { InvalidDiscoveryError } from './errors.js';
import { validateHostPort } from './ranges.js';

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

/**
 * Opens an etcd v3 client for the target (https + client certificate when TLS files were given).
 * @throws InvalidDiscoveryError when a TLS file cannot be read.
 */
export function createEtcdClient(target: EtcdTarget): Etcd3 {
  const scheme = target.tls ? 'https' : 'http';
  const opts: IOptions = { hosts: target.endpoints.map((e) => `${scheme}://${e}`) };
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
  return new Etcd3(opts);
}
