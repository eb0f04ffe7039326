import { chmod, rm } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { InvalidArgumentError } from '../util/errors.js';
import type { ApiDeps, Route } from './context.js';
import { writeSocketError } from './error-handler.js';
import {
  DockerPortInUseError,
  HeadersTooLargeError,
  MalformedRequestError,
  RequestTimeoutError,
} from './errors.js';
import { ApiRouter, type RawRouter } from './router.js';
import { allRoutes } from './routes/index.js';
import { handleUpgrade } from './upgrade.js';

/** Where the API listens: a TCP address or a unix socket path. */
export type ListenSpec =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

/**
 * Parses one `-H` value: `tcp://host:port`, `unix:///path`, bare `host:port` or `:port` (all interfaces).
 * @throws InvalidArgumentError for other schemes (Swarm's `unsupported protocol: "udp"`) or a bad port.
 */
export function parseListenHost(text: string): ListenSpec {
  if (text.startsWith('unix://')) {
    const path = text.slice('unix://'.length);
    if (!path) throw new InvalidArgumentError(`invalid unix socket address "${text}"`);
    return { kind: 'unix', path };
  }
  let rest = text;
  if (rest.startsWith('tcp://')) rest = rest.slice('tcp://'.length);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest))
    throw new InvalidArgumentError(
      `unsupported protocol: "${rest.slice(0, rest.indexOf('://'))}" (in host "${text}": only tcp:// and unix:// are supported)`,
    );
  rest = rest.replace(/\/+$/, '');
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(rest);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`Invalid bind address format: ${text}`);
  }
  return { kind: 'tcp', host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/**
 * The error a failed TCP listen reports: classic Swarm's {@link DockerPortInUseError} when the address is in use and
 * names port 2375 (Docker's own port, as Swarm checked it), else the listen error itself.
 */
export function listenError(err: Error, addr: string): Error {
  const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
  return inUse && addr.includes('2375') ? new DockerPortInUseError(addr, { cause: err }) : err;
}

/** Server-side TLS (`--tls` / `--tlsverify`). */
export interface ServerTlsOptions {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly ca?: string | Buffer;
  /** `--tlsverify`: require client certificates signed by `ca`. */
  readonly verify: boolean;
}

/** The two entry points every listener shares. A replica-proxy mode wraps these to forward to the primary. */
export interface ApiHandler {
  onRequest(req: IncomingMessage, res: ServerResponse): void;
  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/** Options of {@link createApiHandler}. */
export interface ApiHandlerOptions {
  /** Route modules owned by other layers (discovery registration). */
  readonly extraRoutes?: readonly Route[];
  /** Adds plain find-my-way routes owned by other layers (`addDiscoveryRoutes(raw, registry)`). */
  readonly rawRoutes?: (raw: RawRouter) => void;
  /** `--api-enable-cors`. */
  readonly cors?: boolean;
}

/** The API's handlers plus the route template lookup metrics label requests with. */
export interface RoutedApiHandler extends ApiHandler {
  /** The route template serving `method url`, or `unmatched` (see {@link ApiRouter.template}). */
  routeOf(method: string, url: string): string;
}

/** Builds the request and upgrade handlers over the route table. */
export function createApiHandler(deps: ApiDeps, opts: ApiHandlerOptions = {}): RoutedApiHandler {
  const router = new ApiRouter(allRoutes(opts.extraRoutes), opts.rawRoutes);
  return {
    routeOf: (method, url) => router.template(method, url),
    onRequest(req, res) {
      if (opts.cors) {
        res.setHeader('Access-Control-Allow-Origin', '*');
        res.setHeader(
          'Access-Control-Allow-Headers',
          'Origin, X-Requested-With, Content-Type, Accept, X-Registry-Auth',
        );
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, PUT, OPTIONS, HEAD');
        if (req.method === 'OPTIONS') {
          res.writeHead(200);
          res.end();
          return;
        }
      }
      router.handle(req, res, deps);
    },
    onUpgrade(req, socket, head) {
      handleUpgrade(req, socket, head, deps);
    },
  };
}

/**
 * The listeners' timeouts (documented in docs/behaviour/api.md#limits):
 * - `headersMs`: a client must send its whole request head within 30 s (slowloris), else 408 and close;
 * - `idleMs`: a client sending a request body must not pause for 60 s, else 408 and close; once the request is
 *   in, nothing times out: streamed answers (`events`, `logs -f`, `wait`, pulls) and hijacked attach/exec
 *   connections stay open as long as they last, however quiet;
 * - `keepAliveMs`: an idle kept-alive connection between requests is closed after 60 s.
 */
export const LISTENER_TIMEOUTS = {
  headersMs: 30_000,
  idleMs: 60_000,
  keepAliveMs: 60_000,
  checkEveryMs: 5_000,
} as const;

/** The error to answer a request the HTTP parser refused with (400, 408 or 431). */
function clientErrorOf(err: NodeJS.ErrnoException): Error {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return new RequestTimeoutError();
  if (err.code === 'HPE_HEADER_OVERFLOW') return new HeadersTooLargeError();
  return new MalformedRequestError(`malformed HTTP request: ${err.code ?? err.message}`, { cause: err });
}

/**
 * True when the request the parser refused is a `HEAD` (its answer carries no body). Node hands the bytes it was
 * parsing as `rawPacket`; a request line split across packets may not show its method, and then gets a body.
 */
function refusedHead(err: NodeJS.ErrnoException): boolean {
  const raw = (err as { rawPacket?: unknown }).rawPacket;
  return Buffer.isBuffer(raw) && raw.subarray(0, 5).toString('latin1') === 'HEAD ';
}

/** Writes an error answer on a raw socket and closes it, dropping it for good if the client does not read. */
function answerAndClose(socket: Duplex, err: Error, headOnly = false): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  writeSocketError(socket, err, { headOnly });
  setTimeout(() => socket.destroy(), 2000).unref();
}

/** One listening address, as text (`tcp://127.0.0.1:2375`, `unix:///run/shoal.sock`). */
export type BoundAddress = string;

/**
 * Serves one {@link ApiHandler} on every `-H` listener: TCP (with TLS when given: minimum 1.2, client certificates
 * required with `verify`) and unix sockets created 0600 (always plain HTTP).
 */
export class ApiServer {
  private readonly servers: { server: http.Server; unixPath?: string }[] = [];

  constructor(private readonly handler: ApiHandler) {}

  /** Starts every listener; resolves with the bound addresses (actual ports when 0 was asked). */
  async listen(specs: readonly ListenSpec[], tls?: ServerTlsOptions): Promise<BoundAddress[]> {
    const out: BoundAddress[] = [];
    for (const spec of specs) {
      // unix sockets are guarded by their 0600 mode and speak plain HTTP, as the Engine's own socket does
      const server = this.createServer(spec.kind === 'unix' ? undefined : tls);
      if (spec.kind === 'unix') {
        await rm(spec.path, { force: true });
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(spec.path, () => resolve());
        });
        await chmod(spec.path, 0o600);
        this.servers.push({ server, unixPath: spec.path });
        out.push(`unix://${spec.path}`);
      } else {
        await new Promise<void>((resolve, reject) => {
          server.once('error', (err) => reject(listenError(err, `${spec.host}:${spec.port}`)));
          server.listen(spec.port, spec.host, () => resolve());
        });
        this.servers.push({ server });
        const a = server.address() as AddressInfo;
        out.push(`tcp://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`);
      }
    }
    return out;
  }

  /** Stops every listener and drops open connections. */
  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(async ({ server, unixPath }) => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        if (unixPath) await rm(unixPath, { force: true });
      }),
    );
    this.servers.length = 0;
  }

  private createServer(tls?: ServerTlsOptions): http.Server {
    const timing = {
      keepAliveTimeout: LISTENER_TIMEOUTS.keepAliveMs,
      headersTimeout: LISTENER_TIMEOUTS.headersMs,
      // No limit on a whole request: uploads (build contexts, image loads) may rightly take long. A stalled body is
      // caught by the idle timeout below instead.
      requestTimeout: 0,
      connectionsCheckingInterval: LISTENER_TIMEOUTS.checkEveryMs,
    };
    const server = tls
      ? https.createServer({
          ...timing,
          cert: tls.cert,
          key: tls.key,
          ...(tls.ca ? { ca: tls.ca } : {}),
          requestCert: tls.verify,
          rejectUnauthorized: tls.verify,
          minVersion: 'TLSv1.2',
        })
      : http.createServer(timing);
    // The request each socket is serving (until its answer ends), for the idle-timeout decision.
    const current = new WeakMap<Duplex, { req: IncomingMessage; res: ServerResponse }>();
    server.setTimeout(LISTENER_TIMEOUTS.idleMs);
    server.on('timeout', (socket: Duplex) => {
      const req = current.get(socket)?.req;
      // Idle while the answer is under way (events, logs -f, wait, a slow engine): the answer sets the pace, so the
      // connection stays open for as long as it lasts.
      if (req?.complete) return;
      // Idle while the client still owes its request body: 408 and close. Idle between requests: close.
      if (req) answerAndClose(socket, new RequestTimeoutError());
      else socket.destroy();
    });
    server.on('request', (req, res) => {
      const socket = req.socket;
      current.set(socket, { req, res });
      res.once('close', () => {
        if (current.get(socket)?.req === req) current.delete(socket);
      });
      this.handler.onRequest(req, res);
    });
    server.on('upgrade', (req, socket, head) => {
      // A hijacked stream (attach, exec) may be silent for hours.
      (socket as Duplex & { setTimeout(ms: number): unknown }).setTimeout(0);
      current.delete(socket);
      this.handler.onUpgrade(req, socket, head);
    });
    // A request the HTTP parser refuses (broken chunked encoding, bad request line, oversized or late headers) gets
    // an Engine-style answer before the connection closes.
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      // (also in the middle of a body, e.g. a bad chunk size, as long as no answer has started)
      if (err.code !== 'ECONNRESET' && !current.get(socket)?.res.headersSent)
        answerAndClose(socket, clientErrorOf(err), refusedHead(err));
      else socket.destroy();
    });
    return server;
  }
}
