import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { isIP } from 'node:net';
import type { EngineVersion } from '../engine/version.js';
import type { Clock } from '../util/clock.js';
import { systemClock } from '../util/clock.js';
import { EngineCheckError } from './errors.js';

/** Client-side TLS files used to reach an engine (a machine directory's ca.pem, cert.pem, key.pem). */
export interface ClientTls {
  readonly caCert: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/** Reads the three TLS files once. */
export async function loadClientTls(tls: ClientTls): Promise<{ ca: Buffer; cert: Buffer; key: Buffer }> {
  const [ca, cert, key] = await Promise.all([
    readFile(tls.caCert),
    readFile(tls.clientCert),
    readFile(tls.clientKey),
  ]);
  return { ca, cert, key };
}

/**
 * One TLS GET to `tcp://HOST:PORT` + `path` with the client certificate, the server verified against the CA (by IP
 * SAN for IP hosts). Resolves the body on 2xx; rejects with {@link EngineCheckError} otherwise or after `timeoutMs`.
 */
export async function engineGet(
  url: string,
  path: string,
  tls: ClientTls,
  timeoutMs = 20_000,
): Promise<string> {
  const u = new URL(url.replace(/^tcp:/, 'https:'));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const files = await loadClientTls(tls);
  return new Promise<string>((resolve, reject) => {
    const req = request(
      {
        host,
        port: Number(u.port || 2376),
        path,
        method: 'GET',
        ...files,
        servername: isIP(host) ? undefined : host,
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) resolve(body);
          else reject(new EngineCheckError(`${url}${path} answered ${res.statusCode}: ${body.trim()}`));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', (err) =>
      reject(new EngineCheckError(`cannot reach ${url}: ${err.message}`, { cause: err })),
    );
    req.end();
  });
}

/** `GET /version` of the engine. */
export async function engineVersion(url: string, tls: ClientTls, timeoutMs = 20_000): Promise<EngineVersion> {
  return JSON.parse(await engineGet(url, '/version', tls, timeoutMs)) as EngineVersion;
}

/**
 * Polls `GET /_ping` until it answers `OK` or `timeoutMs` passes (then throws the last error); stops when `signal`
 * aborts. Used by `create`'s last step and by `start`/`restart`.
 */
export async function waitForEngine(
  url: string,
  tls: ClientTls,
  opts: { timeoutMs?: number; intervalMs?: number; clock?: Clock; signal?: AbortSignal } = {},
): Promise<void> {
  const clock = opts.clock ?? systemClock;
  const deadline = clock.now() + (opts.timeoutMs ?? 60_000);
  let last: unknown;
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      const body = await engineGet(url, '/_ping', tls, 5_000);
      if (body.trim() === 'OK') return;
      last = new EngineCheckError(`${url}/_ping answered "${body.trim()}"`);
    } catch (err) {
      last = err;
    }
    if (clock.now() >= deadline) break;
    await clock.sleep(opts.intervalMs ?? 500, opts.signal);
  }
  throw last instanceof EngineCheckError
    ? last
    : new EngineCheckError(`engine at ${url} not ready`, { cause: last });
}
