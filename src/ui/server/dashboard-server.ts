import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import {
  type ClientTlsMaterial,
  hasNoBody,
  type ManagerEndpoint,
  managerGet,
  proxyToManager,
} from './manager-proxy.js';

/** One machine of the store, as the overview lists it. */
export interface HostRow {
  readonly name: string;
  readonly driver: string;
  readonly ip: string;
  readonly state: string;
  readonly master: boolean;
}

/** The read-only KV view the dashboard shows (etcd discovery): keys, members, the leader key's history. */
export interface DashboardKv {
  /** The folder shown (`<prefix>/docker/swarm`). */
  readonly root: string;
  readonly target: { readonly endpoints: readonly string[] };
  /** The primary's address from the leader key. */
  readonly leader: string | undefined;
  failovers(): readonly unknown[];
  /** Calls `listener` with every new primary seen in the leader key; returns the unsubscribe. */
  onLeader?(listener: (addr: string) => void): () => void;
  keys(): Promise<unknown[]>;
  members(): Promise<unknown[]>;
}

/** Everything the dashboard server serves from. */
export interface DashboardOptions {
  /** The managers (swarm masters) it knows; `target` is the one the API is proxied to. */
  readonly managers: readonly ManagerEndpoint[];
  readonly target: string;
  readonly tls: ClientTlsMaterial;
  /** The KV view (etcd discovery only). */
  readonly kv?: DashboardKv;
  /** The machine store's hosts. */
  readonly hosts?: () => Promise<HostRow[]>;
  /** The registry mirror, when the cluster has one. */
  readonly registry?: () => Promise<{ address: string; running: boolean } | undefined>;
  /** The built UI (index.html and assets). */
  readonly staticDir: string;
  /** Epoch ms (a clock for tests). */
  readonly now?: () => number;
}

/** How long a manager that could not be reached is passed over before it is tried again. */
export const MANAGER_RETRY_MS = 5000;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/** The header the UI sends with every request that changes something (a cross-site form cannot set it). */
export const DASHBOARD_HEADER = 'x-shoal-dashboard';

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { message });
}

/**
 * The local dashboard server (`shoal dashboard`), like `kubectl proxy`: it serves the UI's static files, forwards
 * `/docker/*` to the target manager with the store's client certificate, and answers `/dash/v1/*` from the machine
 * store and the KV (managers and their roles, hosts, registry, KV keys and members, failover history). When the
 * target cannot be reached it goes through the next manager (a GET is sent there at once; a change answers 502 and
 * the next one goes there), and back to the target once it answers again. It only
 * listens where it is told (loopback by default), refuses requests whose Host is not its own (DNS rebinding), and
 * refuses changes that do not carry the dashboard's header (cross-site forms).
 */
export class DashboardServer {
  private readonly server: http.Server;
  private bound = '';
  /** Open `/events` answers: they follow the primary, so they end when it changes. */
  private readonly streams = new Set<ServerResponse>();
  private readonly unfollow: (() => void) | undefined;
  /** Manager name → epoch ms until which it is passed over (it could not be reached). */
  private readonly downUntil = new Map<string, number>();

  constructor(private readonly opts: DashboardOptions) {
    this.unfollow = opts.kv?.onLeader?.(() => this.endStreams());
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendError(res, 500, (err as Error).message);
        else res.destroy();
      });
    });
    this.server.headersTimeout = 20_000;
  }

  /** Listens on `host:port`; resolves with the bound `host:port`. */
  async listen(host: string, port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const a = this.server.address() as AddressInfo;
    this.bound = `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
    return this.bound;
  }

  /**
   * Ends every open events stream (cleanly: the browser sees the stream end and reconnects, then reads the new
   * primary's view). Called when the leader key names a new primary; returns how many were ended.
   */
  endStreams(): number {
    const n = this.streams.size;
    for (const res of [...this.streams]) res.end();
    this.streams.clear();
    return n;
  }

  /** Stops listening and drops open streams. */
  async close(): Promise<void> {
    this.unfollow?.();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The managers in order of preference: the target first, then the others as given. */
  private preference(): ManagerEndpoint[] {
    const first = this.opts.managers.find((m) => m.name === this.opts.target) ?? this.opts.managers[0]!;
    return [first, ...this.opts.managers.filter((m) => m !== first)];
  }

  /** The manager requests go through now: the first one not passed over (the target when all are). */
  private target(): ManagerEndpoint {
    const now = this.now();
    const order = this.preference();
    return order.find((m) => (this.downUntil.get(m.name) ?? 0) <= now) ?? order[0]!;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Sends the request to the current manager; a GET goes on to the next one while a manager cannot be reached. */
  private forward(path: string, req: IncomingMessage, res: ServerResponse, tried = new Set<string>()): void {
    const target = this.target();
    tried.add(target.name);
    proxyToManager(target, this.opts.tls, path, req, res, () => {
      this.downUntil.set(target.name, this.now() + MANAGER_RETRY_MS);
      if (!hasNoBody(req) || tried.has(this.target().name)) return false;
      this.forward(path, req, res, tried);
      return true;
    });
  }

  private hostAllowed(req: IncomingMessage): boolean {
    const host = (req.headers.host ?? '').toLowerCase();
    const port = this.bound.slice(this.bound.lastIndexOf(':') + 1);
    return [this.bound, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`].includes(host);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.hostAllowed(req)) {
      req.resume();
      sendError(res, 403, `this dashboard answers only as ${this.bound}`);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const method = req.method ?? 'GET';
    if (url.pathname.startsWith('/docker/')) {
      if (method !== 'GET' && method !== 'HEAD' && req.headers[DASHBOARD_HEADER] !== '1') {
        req.resume();
        sendError(res, 403, `changes need the ${DASHBOARD_HEADER} header`);
        return;
      }
      const path = url.pathname.slice('/docker'.length);
      if (/^(?:\/v\d+\.\d+)?\/events$/.test(path)) {
        this.streams.add(res);
        res.once('close', () => this.streams.delete(res));
      }
      this.forward(`${path}${url.search}`, req, res);
      return;
    }
    req.resume();
    if (url.pathname.startsWith('/dash/v1/')) {
      if (method !== 'GET') {
        sendError(res, 405, 'the dashboard API is read-only');
        return;
      }
      await this.dashApi(url, res);
      return;
    }
    await this.serveStatic(url.pathname, res);
  }

  private async dashApi(url: URL, res: ServerResponse): Promise<void> {
    const kv = this.opts.kv;
    switch (url.pathname) {
      case '/dash/v1/config':
        sendJson(res, 200, {
          target: this.target().name,
          managers: this.opts.managers,
          discovery: kv ? { root: kv.root, endpoints: kv.target.endpoints } : null,
        });
        return;
      case '/dash/v1/managers': {
        const rows = await Promise.all(
          this.opts.managers.map(async (m) => {
            try {
              const info = await managerGet<{ SystemStatus?: [string, string][] | null }>(
                m,
                this.opts.tls,
                '/info',
                2500,
              );
              const status = info.SystemStatus ?? [];
              const val = (k: string) => status.find(([key]) => key.trim() === k)?.[1];
              return { ...m, up: true, role: val('Role') ?? 'primary', primary: val('Primary') ?? null };
            } catch (err) {
              return { ...m, up: false, error: (err as Error).message };
            }
          }),
        );
        sendJson(res, 200, { managers: rows, leaderKey: kv?.leader ?? null });
        return;
      }
      case '/dash/v1/failovers':
        sendJson(res, 200, { failovers: kv?.failovers() ?? [] });
        return;
      case '/dash/v1/hosts':
        sendJson(res, 200, { hosts: this.opts.hosts ? await this.opts.hosts() : [] });
        return;
      case '/dash/v1/registry':
        sendJson(res, 200, { registry: (await this.opts.registry?.()) ?? null });
        return;
      case '/dash/v1/kv':
        if (!kv) {
          sendError(res, 404, 'the KV view needs etcd:// discovery');
          return;
        }
        sendJson(res, 200, { root: kv.root, keys: await kv.keys() });
        return;
      case '/dash/v1/kv/members':
        if (!kv) {
          sendError(res, 404, 'the KV view needs etcd:// discovery');
          return;
        }
        sendJson(res, 200, { members: await kv.members() });
        return;
      default:
        sendError(res, 404, `no such dashboard endpoint: ${url.pathname}`);
    }
  }

  private async serveStatic(pathname: string, res: ServerResponse): Promise<void> {
    const root = normalize(this.opts.staticDir);
    let file = normalize(join(root, decodeURIComponent(pathname)));
    if (!file.startsWith(root + sep) && file !== root) {
      sendError(res, 404, 'not found');
      return;
    }
    let st = await stat(file).catch(() => undefined);
    if (!st || st.isDirectory()) {
      // pages are client-side: every other path gets the app
      file = join(root, 'index.html');
      st = await stat(file).catch(() => undefined);
      if (!st) {
        sendError(res, 500, `the dashboard UI is not built (${file} is missing): run npm run build`);
        return;
      }
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': st.size,
      'Cache-Control': file.includes(`${sep}assets${sep}`) ? 'max-age=31536000, immutable' : 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
    createReadStream(file).pipe(res);
  }
}
