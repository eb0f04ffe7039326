import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CachedContainer } from '../cluster/engine-cache.js';
import type { EngineInfo } from '../cluster/engine-types.js';

/**
 * A loopback HTTP server answering the handful of Engine API calls the cluster makes to validate and cache an
 * engine (`/info`, `/version`, list calls, a silent `/events`). For unit tests of cluster logic (duplicate IDs,
 * validation rules, pending retries) only; integration tests use real engines.
 */
export class FakeEngineServer {
  info: EngineInfo;
  private server: Server | undefined;
  private readonly open = new Set<ServerResponse>();
  port = 0;
  /** Containers served by `/containers/json` and `/containers/{id}/json`. */
  containers: CachedContainer[] = [];
  /** When set, every container inspect is answered by closing the connection (an engine falling over). */
  dropInspects = false;
  /** Paths requested, in order (query strings dropped). */
  readonly requests: string[] = [];
  /** TCP connections accepted so far. */
  connections = 0;

  constructor(info: Partial<EngineInfo> = {}) {
    this.info = { ID: 'FAKE:0001', Name: 'fake', NCPU: 2, MemTotal: 2 ** 31, OSType: 'linux', ...info };
  }

  /** `127.0.0.1:PORT`. */
  get addr(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Listens on `port` (0 = any free port). */
  async start(port = this.port): Promise<void> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      this.requests.push(path);
      const inspect = /^\/containers\/([^/]+)\/json$/.exec(path);
      const json = (v: unknown) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(v));
      };
      if (path === '/info') json(this.info);
      else if (path === '/version') json({ Version: '20.10.24', ApiVersion: '1.41' });
      else if (path === '/containers/json') json(this.containers.map((c) => c.summary));
      else if (inspect && this.dropInspects) req.socket.destroy();
      else if (inspect) {
        const c = this.containers.find((x) => x.info.Id === inspect[1]);
        if (c) json(c.info);
        else {
          res.statusCode = 404;
          json({ message: `No such container: ${inspect[1]}` });
        }
      } else if (path === '/images/json' || path === '/networks') json([]);
      else if (path === '/volumes') json({ Volumes: [] });
      else if (path === '/events') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        this.open.add(res);
        res.on('close', () => this.open.delete(res));
      } else {
        res.statusCode = 404;
        json({ message: `page not found: ${path}` });
      }
    });
    server.on('connection', () => this.connections++);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Stops listening and drops every connection. */
  async stop(): Promise<void> {
    for (const r of this.open) r.destroy();
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
}
