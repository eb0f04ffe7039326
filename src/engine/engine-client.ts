import net from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { buildConnector, Client, type Dispatcher, Pool } from 'undici';
import { asError } from '../util/errors.js';
import {
  type EngineCallKind,
  EngineGoneError,
  EngineRequestError,
  EngineUnreachableError,
  engineError,
} from './errors.js';

/**
 * Client-side TLS material for talking to engines (the manager's own cert serves as client cert,
 * docs/behaviour/tls.md#manager-to-engines).
 */
export interface EngineTlsOptions {
  /** CA bundle (PEM) to verify the engine's certificate. */
  readonly ca?: string | Buffer;
  /** Client certificate (PEM). */
  readonly cert: string | Buffer;
  /** Client key (PEM). */
  readonly key: string | Buffer;
  /** Verify the engine's certificate against `ca` (`--tlsverify`); false = `--tls` only (no verification). */
  readonly verify: boolean;
}

/** How to build an {@link EngineClient}. */
export interface EngineClientOptions {
  /** `host:port` of the engine (a discovery entry). */
  readonly addr: string;
  /** TLS client options; undefined = plain TCP. */
  readonly tls?: EngineTlsOptions | undefined;
  /** Timeout for short (non-streaming) calls, ms. Classic Swarm HEAD uses 30 s. */
  readonly timeoutMs?: number;
  /** Connection cap for short calls (default 32); streaming calls use a separate, unbounded pool. */
  readonly connections?: number;
  /**
   * Told about every call's outcome at the connection level: `success` when the engine answered (any status),
   * `failure` when it could not be reached. The cluster uses this for failure counting
   * (docs/behaviour/nodes.md#failures).
   */
  readonly observer?: EngineCallObserver;
}

/** Receives the connection-level outcome of every engine call. */
export interface EngineCallObserver {
  success(): void;
  failure(err: EngineUnreachableError): void;
}

/** Options for {@link EngineClient.request}. */
export interface EngineRequestOptions {
  readonly headers?: Record<string, string | string[] | undefined>;
  /** Request body: a string/Buffer, or a stream (proxied uploads). */
  readonly body?: string | Buffer | NodeJS.ReadableStream | AsyncIterable<Uint8Array> | null;
  /** Query string parameters; appended to `path`. */
  readonly query?: Record<string, string | number | boolean | undefined>;
  /** True for long-lived responses (events, logs follow, wait, pull, attach): no timeouts at all (deps G4). */
  readonly stream?: boolean;
  /**
   * With `stream`: a stream held for as long as the engine is watched (its event stream). It gets a connection of
   * its own, through a one-connection client made for it and closed when its body closes, instead of the pool the
   * other streams share; that pool is then made only when one of them is sent. An undici pool takes 18 KB (most of it
   * an empty queue) whether used or not: one per engine for the event stream alone held 90 MB at 5,000 engines.
   */
  readonly own?: boolean;
  readonly signal?: AbortSignal;
}

/** A raw engine response for proxying: status, headers and the unread body stream. */
export interface EngineResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The body; the caller must consume or destroy it. */
  readonly body: AsyncIterable<Uint8Array> & { destroy(err?: Error): unknown; text(): Promise<string> };
}

/** Socket parameters to open a raw connection to the engine (hijacked attach/exec, deps G5–G7). */
export interface RawConnectOptions {
  readonly host: string;
  readonly port: number;
  /** Present when the engine speaks TLS: pass to `tls.connect`. */
  readonly tls?: ConnectionOptions;
}

/** Splits `host:port` (IPv6 in brackets allowed). */
export function splitAddr(addr: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(addr);
  if (!m?.[1] || !m[2]) return { host: addr, port: 2375 };
  return { host: m[1], port: Number(m[2]) };
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A thin typed Docker Engine API client over one undici `Pool`. Every failure is converted at this boundary:
 * an HTTP error status becomes the typed {@link EngineRequestError} for it ({@link engineError}: not found, image not
 * found, pull denied, conflict, bad request, server error; status + the engine's message), anything that prevented
 * an answer becomes {@link EngineUnreachableError} (retryable).
 */
export class EngineClient {
  /** `host:port` of the engine. */
  readonly addr: string;
  readonly host: string;
  readonly port: number;
  readonly tls: EngineTlsOptions | undefined;
  private readonly timeoutMs: number;
  private readonly pool: Pool;
  /** Set by {@link close}: every later call fails with {@link EngineGoneError}. */
  private closed = false;
  /** Every TCP socket this client opened (under TLS, the sockets TLS runs on), for {@link close} to reset. */
  private readonly sockets = new Set<net.Socket>();
  /** The pool long-lived calls share, made on the first one ({@link streams}). */
  private streamPool: Pool | undefined;
  /** The one-connection clients of open `own` streams. */
  private readonly ownStreams = new Set<Client>();
  private readonly origin: string;
  private readonly poolOptions: Pool.Options;
  private readonly observer: EngineCallObserver | undefined;

  constructor(opts: EngineClientOptions) {
    this.addr = opts.addr;
    const { host, port } = splitAddr(opts.addr);
    this.host = host;
    this.port = port;
    this.tls = opts.tls;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.observer = opts.observer;
    const hostPart = host.includes(':') ? `[${host}]` : host;
    this.origin = `${opts.tls ? 'https' : 'http'}://${hostPart}:${port}`;
    this.poolOptions = {
      bodyTimeout: 0,
      headersTimeout: 0,
      keepAliveTimeout: 30_000,
      connect: this.connector(opts.tls, Math.min(this.timeoutMs, 10_000)),
    };
    this.pool = new Pool(this.origin, { ...this.poolOptions, connections: opts.connections ?? 32 });
  }

  /**
   * The pool for long-lived responses (logs -f, wait, attach, pull): each holds a connection for minutes, so they
   * get their own unbounded pool and can never queue short calls behind them.
   */
  private streams(): Pool {
    this.streamPool ??= new Pool(this.origin, this.poolOptions);
    return this.streamPool;
  }

  /**
   * undici's connector, keeping each TCP socket it opens in {@link sockets}. Under TLS the TCP socket is opened here
   * and TLS runs on it, so that the TCP socket itself can be reset.
   */
  private connector(tls: EngineTlsOptions | undefined, timeout: number): buildConnector.connector {
    const base = buildConnector({ timeout, ...(tls ? tlsConnectOptions(tls) : {}) });
    const keep = (tcp: net.Socket): void => {
      this.sockets.add(tcp);
      tcp.once('close', () => this.sockets.delete(tcp));
    };
    return (o, done) => {
      if (!tls) {
        base(o, (...answer) => {
          if (answer[1]) keep(answer[1]);
          done(...answer);
        });
        return;
      }
      const tcp = net.connect({ host: o.hostname, port: Number(o.port) });
      tcp.on('error', () => undefined); // reported by the TLS socket on it
      keep(tcp);
      base({ ...o, httpSocket: tcp }, (...answer) => {
        if (answer[1]) answer[1].once('close', () => this.sockets.delete(tcp));
        done(...answer);
      });
    };
  }

  /** Socket parameters for a raw (hijack) connection to this engine. */
  rawConnectOptions(): RawConnectOptions {
    return this.tls
      ? {
          host: this.host,
          port: this.port,
          tls: { host: this.host, port: this.port, ...tlsConnectOptions(this.tls) },
        }
      : { host: this.host, port: this.port };
  }

  /**
   * Sends a request and returns the raw response whatever its status (for proxying). Throws only
   * {@link EngineUnreachableError}. Non-streaming calls time out after `timeoutMs`.
   */
  async request(method: string, path: string, opts: EngineRequestOptions = {}): Promise<EngineResponse> {
    const timeout = opts.stream ? 0 : this.timeoutMs;
    return this.withRetry(method, opts, () => this.send(method, path, opts, timeout));
  }

  /**
   * Runs one call with the connection-level policy shared by every request: a GET on a kept-alive socket the engine
   * closed at the same moment fails with a reset before any answer, which is safe to send again once on a fresh
   * socket and says nothing about the engine's health; any other failure becomes {@link EngineUnreachableError}
   * and is reported to the observer (unless the caller aborted).
   */
  private async withRetry<T>(method: string, opts: EngineRequestOptions, call: () => Promise<T>): Promise<T> {
    if (this.closed) throw new EngineGoneError(this.addr);
    const retryable = method === 'GET' && !opts.stream && opts.body == null;
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        if (retryable && attempt === 0 && isSocketReset(err) && !opts.signal?.aborted && !this.closed)
          continue;
        const e = this.unreachable(err);
        // An abort by the caller says nothing about the engine's health.
        if (!opts.signal?.aborted) this.observer?.failure(e);
        throw e;
      }
    }
  }

  private async send(
    method: string,
    path: string,
    opts: EngineRequestOptions,
    timeout: number,
  ): Promise<EngineResponse> {
    const own = opts.stream && opts.own ? new Client(this.origin, this.poolOptions) : undefined;
    if (own) this.ownStreams.add(own);
    const drop = (): void => {
      if (!own) return;
      this.ownStreams.delete(own);
      void own.destroy().catch(() => undefined);
    };
    try {
      const res = await (own ?? (opts.stream ? this.streams() : this.pool)).request({
        method: method as 'GET',
        path: withQuery(path, opts.query),
        headers: opts.headers as Record<string, string>,
        body: (opts.body ?? null) as string | null,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal: opts.signal ?? null,
      });
      if (own) res.body.once('close', drop);
      this.observer?.success();
      return { statusCode: res.statusCode, headers: res.headers, body: res.body };
    } catch (err) {
      drop();
      throw err;
    }
  }

  /**
   * Sends a short call and collects the whole answer in memory through undici's dispatcher interface, without the
   * response stream `request()` builds. JSON calls (inspect, lists) sit on the manager's proxied hot path, where
   * that machinery cost about 0.3 ms a call (bench/manager-overhead.ts), and on the initial sync (37 calls per
   * engine). The handler uses the hooks undici 7's core calls directly (`onConnect`, `onHeaders`, ...): the newer
   * controller hooks go through an adapter that parses every response's headers into an object, which these calls
   * never read; with a one-chunk answer (most of them) the chunk is decoded without a copy.
   */
  private sendBuffered(
    method: string,
    path: string,
    opts: EngineRequestOptions,
  ): Promise<{ statusCode: number; text: string }> {
    const observer = this.observer;
    const signal = opts.signal;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let statusCode = 0;
      let onAbort: (() => void) | undefined;
      const done = (): void => {
        if (onAbort) signal?.removeEventListener('abort', onAbort);
      };
      const handler: Dispatcher.DispatchHandler = {
        onConnect(abort) {
          if (!signal) return;
          if (signal.aborted) abort(signal.reason);
          else {
            onAbort = () => abort(signal.reason);
            signal.addEventListener('abort', onAbort, { once: true });
          }
        },
        onHeaders(status) {
          statusCode = status;
          observer?.success();
          return true;
        },
        onData(chunk) {
          chunks.push(chunk);
          return true;
        },
        onComplete() {
          done();
          const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          resolve({ statusCode, text: body.toString('utf8') });
        },
        onError(err) {
          done();
          reject(err);
        },
      };
      this.pool.dispatch(
        {
          method: method as Dispatcher.HttpMethod,
          path: withQuery(path, opts.query),
          headers: opts.headers as Record<string, string>,
          body: (opts.body ?? null) as string | null,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        },
        handler,
      );
    });
  }

  /**
   * Sends a JSON request (body serialised when not a string) and parses the JSON answer. Throws
   * {@link EngineRequestError} for status ≥ 400 with the engine's `message`, {@link EngineUnreachableError} when no
   * answer came. Empty bodies (204, 304) yield `undefined`.
   */
  async json<T>(
    method: string,
    path: string,
    body?: unknown,
    opts: Omit<EngineRequestOptions, 'body' | 'stream'> = {},
  ): Promise<T> {
    const headers: Record<string, string | string[] | undefined> = { ...opts.headers };
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const reqOpts: EngineRequestOptions = { ...opts, headers, body: payload ?? null };
    const { statusCode, text } = await this.withRetry(method, reqOpts, () =>
      this.sendBuffered(method, path, reqOpts),
    );
    if (statusCode >= 400)
      throw engineError(statusCode, engineMessage(text, statusCode), callKind(method, path));
    if (text.length === 0) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new EngineRequestError(502, `invalid JSON from engine ${this.addr}: ${text.slice(0, 200)}`, {
        cause: err,
      });
    }
  }

  /**
   * Opens a long-lived request and returns its body once the engine answered 2xx (events, pull progress). Throws
   * like {@link json} for error statuses.
   */
  async stream(
    method: string,
    path: string,
    opts: Omit<EngineRequestOptions, 'stream'> = {},
  ): Promise<EngineResponse['body']> {
    const res = await this.request(method, path, { ...opts, stream: true });
    if (res.statusCode >= 400) {
      const text = await res.body.text().catch(() => '');
      throw engineError(res.statusCode, engineMessage(text, res.statusCode), callKind(method, path));
    }
    return res.body;
  }

  /**
   * Resets every pooled connection (in-flight calls and streams fail); later calls fail with {@link EngineGoneError}.
   */
  async close(): Promise<void> {
    this.closed = true;
    // Reset, not closed: a request still in the kernel's send queue (sent into a partition that has not healed) would
    // otherwise reach the engine later, after its caller was told it failed, and act then.
    for (const tcp of this.sockets) if (!tcp.destroyed) tcp.resetAndDestroy();
    this.sockets.clear();
    const own = [...this.ownStreams];
    this.ownStreams.clear();
    await Promise.all([this.pool, this.streamPool, ...own].map((d) => d?.destroy().catch(() => undefined)));
  }

  private unreachable(err: unknown): EngineUnreachableError {
    if (err instanceof EngineUnreachableError) return err;
    const e = asError(err) as Error & { code?: string };
    return new EngineUnreachableError(this.addr, describeNetError(this.addr, e), { cause: e });
  }
}

/**
 * What a call does, for {@link engineError}: `POST /containers/create` (a 404 names a missing image or network),
 * `POST /images/create` (a pull), other `/images/...` calls (a 404 is a missing image). Version prefixes and query
 * strings are ignored.
 */
export function callKind(method: string, path: string): EngineCallKind {
  const p = path.replace(/^\/v\d+(\.\d+)?(?=\/)/, '').replace(/\?.*$/, '');
  if (method === 'POST' && p === '/containers/create') return 'create';
  if (method === 'POST' && p === '/images/create') return 'pull';
  if (p.startsWith('/images/')) return 'image';
  return 'other';
}

/** True for a connection reset / closed by the other side before the answer (undici `UND_ERR_SOCKET`, `ECONNRESET`). */
function isSocketReset(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET';
}

function tlsConnectOptions(tls: EngineTlsOptions): ConnectionOptions {
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca ? { ca: tls.ca } : {}),
    rejectUnauthorized: tls.verify,
    minVersion: 'TLSv1.2',
  };
}

function withQuery(path: string, query: EngineRequestOptions['query']): string {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.append(k, String(v));
  const s = qs.toString();
  if (!s) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${s}`;
}

/** The engine's error text: `{"message": ...}` when JSON, else the raw body, else the status. */
export function engineMessage(text: string, status: number): string {
  const t = text.trim();
  if (t.startsWith('{')) {
    try {
      const m = (JSON.parse(t) as { message?: unknown }).message;
      if (typeof m === 'string') return m;
    } catch {
      // not JSON after all; fall through to the raw text
    }
  }
  return t || `engine answered HTTP ${status}`;
}

/** A one-line description of a network-level failure, in the style of Go's net errors, with TLS hints. */
export function describeNetError(addr: string, e: Error & { code?: string }): string {
  const url = `http://${addr}`;
  const host = splitAddr(addr).host;
  const prefix = 'Cannot connect to the Docker engine endpoint';
  switch (e.code) {
    case 'ECONNREFUSED':
      return `${prefix}: dial tcp ${addr}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `${prefix}: dial tcp ${addr}: connect: no route to host`;
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `${prefix}: dial tcp ${addr}: i/o timeout`;
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return `Get ${url}: net/http: request canceled (Client.Timeout exceeded while awaiting headers)`;
    case 'UND_ERR_SOCKET':
    case 'ECONNRESET':
      return `${prefix} ${addr}: connection reset (${e.message})`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `${prefix} ${addr}: x509: cannot validate certificate for ${host} because it is not among its SANs (regenerate the engine certificate with ${host} as a SAN)`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `${prefix} ${addr}: x509: certificate signed by unknown authority (the engine certificate is not signed by --tlscacert)`;
    case 'CERT_HAS_EXPIRED':
      return `${prefix} ${addr}: x509: certificate has expired or is not yet valid`;
    case 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE':
    case 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED':
    case 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA':
      return `${prefix} ${addr}: remote error: tls: bad certificate (the engine rejected the manager's certificate: it must be signed by the engine's CA and allow clientAuth)`;
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return `${prefix} ${addr}: tls: first record does not look like a TLS handshake (the engine does not speak TLS)`;
    default:
      return `${prefix} ${addr}: ${e.message}${e.code ? ` (${e.code})` : ''}`;
  }
}
