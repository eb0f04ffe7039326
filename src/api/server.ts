import { chmod, rm } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { InvalidArgumentError } from '../util/errors.js';
import type { ApiDeps, Route } from './context.js';
import { ApiRouter, type RawRouter } from './router.js';
import { allRoutes } from './routes/index.js';
import { handleUpgrade } from './upgrade.js';

/** Where the API listens: a TCP address or a unix socket path. */
export type ListenSpec =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

/**
 * Parses one `-H` value: `tcp://host:port`, `unix:///path`, bare `host:port` or `:port` (all interfaces).
 * @throws InvalidArgumentError for other schemes or a bad port.
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
      `Invalid protocol in host "${text}": only tcp:// and unix:// are supported`,
    );
  rest = rest.replace(/\/+$/, '');
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(rest);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`Invalid bind address format: ${text}`);
  }
  return { kind: 'tcp', host: m[1] ?? (m[2] || '0.0.0.0'), port };
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

/** Builds the request and upgrade handlers over the route table. */
export function createApiHandler(deps: ApiDeps, opts: ApiHandlerOptions = {}): ApiHandler {
  const router = new ApiRouter(allRoutes(opts.extraRoutes), opts.rawRoutes);
  return {
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
          server.once('error', reject);
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
    const server = tls
      ? https.createServer({
          cert: tls.cert,
          key: tls.key,
          ...(tls.ca ? { ca: tls.ca } : {}),
          requestCert: tls.verify,
          rejectUnauthorized: tls.verify,
          minVersion: 'TLSv1.2',
        })
      : http.createServer();
    server.keepAliveTimeout = 60_000;
    server.headersTimeout = 0;
    server.requestTimeout = 0;
    server.on('request', (req, res) => this.handler.onRequest(req, res));
    server.on('upgrade', (req, socket, head) => this.handler.onUpgrade(req, socket, head));
    server.on('clientError', (_err, socket) => socket.destroy());
    return server;
  }
}
