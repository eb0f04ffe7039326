/**
 * `SimulatedEngine`: an in-process HTTP server that speaks the small subset of the Docker Engine API a cluster
 * manager needs to validate, cache and schedule onto an engine. It holds containers in memory and never runs
 * anything. Used ONLY by scale benchmarks (bench/scale.ts) to stand in for hundreds of engines on loopback ports;
 * tests of real behaviour use real dockerd.
 *
 * Endpoints (an optional `/vX.YY` prefix is accepted): `GET /_ping`, `/version`, `/info`, `/containers/json`,
 * `/containers/{id}/json`, `/images/json`, `/networks`, `/volumes`, `/events` (stream), `POST /containers/create`,
 * `/containers/{id}/start`, `/containers/{id}/stop`, `DELETE /containers/{id}`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How one simulated engine looks. */
export interface SimulatedEngineOptions {
  readonly name: string;
  readonly cpus?: number;
  readonly memory?: number;
  /** Engine labels (`--label k=v`). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Containers to hold at start (alternating running / exited, `busybox`). */
  readonly containers?: number;
}

interface SimContainer {
  id: string;
  name: string;
  image: string;
  created: number;
  state: 'created' | 'running' | 'exited';
  labels: Record<string, string>;
  env: string[];
  hostConfig: Record<string, unknown>;
  exposedPorts: Record<string, unknown>;
}

const IMAGE_ID = `sha256:${'b'.repeat(64)}`;

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** One simulated Docker engine; see the file comment. */
export class SimulatedEngine {
  readonly id: string;
  readonly name: string;
  readonly cpus: number;
  readonly memory: number;
  readonly labels: Readonly<Record<string, string>>;
  port = 0;
  readonly #containers = new Map<string, SimContainer>();
  readonly #events = new Set<ServerResponse>();
  #server: Server | undefined;
  /** Requests served, by `METHOD path-template`. */
  readonly calls = new Map<string, number>();

  constructor(opts: SimulatedEngineOptions) {
    this.name = opts.name;
    this.id = Array.from({ length: 12 }, () => hex(2).toUpperCase().slice(0, 4))
      .join(':')
      .slice(0, 59);
    this.cpus = opts.cpus ?? 4;
    this.memory = opts.memory ?? 8 * 1024 ** 3;
    this.labels = opts.labels ?? {};
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < (opts.containers ?? 0); i++) {
      const c: SimContainer = {
        id: hex(32),
        name: `${opts.name}-c${i}`,
        image: 'busybox',
        created: now - 3600 + i,
        state: i % 2 === 0 ? 'running' : 'exited',
        labels: { app: `app${i % 5}` },
        env: [],
        hostConfig: { NetworkMode: 'default', CpuShares: 0, Memory: 0, PortBindings: {} },
        exposedPorts: {},
      };
      this.#containers.set(c.id, c);
    }
  }

  /** `127.0.0.1:PORT`. */
  get addr(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Number of containers held. */
  get size(): number {
    return this.#containers.size;
  }

  /** Memory reserved by the containers held (sum of `HostConfig.Memory`, bytes) and how many reserve any. */
  reserved(): { memory: number; containers: number } {
    let memory = 0;
    let containers = 0;
    for (const c of this.#containers.values()) {
      const m = Number(c.hostConfig.Memory ?? 0);
      if (m > 0) {
        memory += m;
        containers++;
      }
    }
    return { memory, containers };
  }

  /** Listens on 127.0.0.1:`port` (0 = any free port). */
  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.#json(res, 500, { message: String(err) });
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Closes the server and every open connection (event streams included). */
  async stop(): Promise<void> {
    for (const r of this.#events) r.destroy();
    this.#events.clear();
    const s = this.#server;
    this.#server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }

  /**
   * Stops a running container or starts an exited one (picked by `seq` among those held) and emits the engine's
   * events for it (`die` or `start`), as churn on a real engine would. Returns its ID and new state.
   */
  flipAny(seq: number): { id: string; state: string } | undefined {
    if (this.#containers.size === 0) return undefined;
    this.#ids ??= [...this.#containers.keys()];
    const ids = this.#ids;
    const c = this.#containers.get(ids[seq % ids.length]!);
    if (!c) {
      this.#ids = undefined;
      return undefined;
    }
    c.state = c.state === 'running' ? 'exited' : 'running';
    this.#emit(c, c.state === 'running' ? 'start' : 'die');
    return { id: c.id, state: c.state };
  }

  #ids: string[] | undefined;

  #count(key: string): void {
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }

  #json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  async #body(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  }

  #emit(c: SimContainer, action: string): void {
    const nano = Date.now() * 1e6;
    const ev = {
      status: action,
      id: c.id,
      from: c.image,
      Type: 'container',
      Action: action,
      Actor: { ID: c.id, Attributes: { image: c.image, name: c.name } },
      scope: 'local',
      time: Math.floor(nano / 1e9),
      timeNano: nano,
    };
    const line = `${JSON.stringify(ev)}\n`;
    for (const r of this.#events) r.write(line);
  }

  #find(ref: string): SimContainer | undefined {
    const byId = this.#containers.get(ref);
    if (byId) return byId;
    for (const c of this.#containers.values()) if (c.name === ref || c.id.startsWith(ref)) return c;
    return undefined;
  }

  #summary(c: SimContainer): Record<string, unknown> {
    return {
      Id: c.id,
      Names: [`/${c.name}`],
      Image: c.image,
      ImageID: IMAGE_ID,
      Command: 'sh',
      Created: c.created,
      State: c.state,
      Status:
        c.state === 'running' ? 'Up 1 hour' : c.state === 'exited' ? 'Exited (0) 1 hour ago' : 'Created',
      Ports: [],
      Labels: c.labels,
      HostConfig: { NetworkMode: c.hostConfig.NetworkMode ?? 'default' },
    };
  }

  #inspect(c: SimContainer): Record<string, unknown> {
    const created = new Date(c.created * 1000).toISOString();
    return {
      Id: c.id,
      Name: `/${c.name}`,
      Created: created,
      Image: IMAGE_ID,
      State: {
        Status: c.state,
        Running: c.state === 'running',
        Paused: false,
        Restarting: false,
        ExitCode: 0,
        StartedAt: created,
        FinishedAt: c.state === 'exited' ? created : '0001-01-01T00:00:00Z',
      },
      Config: {
        Image: c.image,
        Labels: c.labels,
        Env: c.env,
        ExposedPorts: c.exposedPorts,
        Hostname: c.id.slice(0, 12),
      },
      HostConfig: c.hostConfig,
      NetworkSettings: { Ports: {}, Networks: { bridge: { IPAddress: '172.17.0.2' } } },
    };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname.replace(/^\/v\d+\.\d+/, '');
    const method = req.method ?? 'GET';
    const m = /^\/containers\/([^/]+)(?:\/(json|start|stop))?$/.exec(path);
    if (method === 'GET' && path === '/_ping') {
      this.#count('GET /_ping');
      res.writeHead(200, { 'content-type': 'text/plain', 'api-version': '1.41' });
      res.end('OK');
    } else if (method === 'GET' && path === '/version') {
      this.#count('GET /version');
      this.#json(res, 200, {
        Version: '20.10.24',
        ApiVersion: '1.41',
        MinAPIVersion: '1.12',
        Os: 'linux',
        Arch: 'amd64',
        KernelVersion: '5.10.0-sim',
      });
    } else if (method === 'GET' && path === '/info') {
      this.#count('GET /info');
      let running = 0;
      for (const c of this.#containers.values()) if (c.state === 'running') running++;
      this.#json(res, 200, {
        ID: this.id,
        Name: this.name,
        NCPU: this.cpus,
        MemTotal: this.memory,
        Driver: 'overlay2',
        KernelVersion: '5.10.0-sim',
        OperatingSystem: 'SimulatedEngine',
        OSType: 'linux',
        Architecture: 'x86_64',
        Labels: Object.entries(this.labels).map(([k, v]) => `${k}=${v}`),
        ServerVersion: '20.10.24',
        SystemTime: new Date().toISOString(),
        Containers: this.#containers.size,
        ContainersRunning: running,
        ContainersPaused: 0,
        ContainersStopped: this.#containers.size - running,
        Images: 1,
      });
    } else if (method === 'GET' && path === '/containers/json') {
      this.#count('GET /containers/json');
      const all = url.searchParams.get('all');
      const list = [...this.#containers.values()].filter((c) =>
        all === '1' || all === 'true' ? true : c.state === 'running',
      );
      this.#json(
        res,
        200,
        list.map((c) => this.#summary(c)),
      );
    } else if (method === 'POST' && path === '/containers/create') {
      this.#count('POST /containers/create');
      const body = await this.#body(req);
      const name = url.searchParams.get('name')?.replace(/^\//, '') || `sim_${hex(4)}`;
      for (const c of this.#containers.values()) {
        if (c.name === name) {
          this.#json(res, 409, {
            message: `Conflict. The container name "/${name}" is already in use by container "${c.id}".`,
          });
          return;
        }
      }
      const c: SimContainer = {
        id: hex(32),
        name,
        image: typeof body.Image === 'string' ? body.Image : 'busybox',
        created: Math.floor(Date.now() / 1000),
        state: 'created',
        labels: (body.Labels as Record<string, string> | undefined) ?? {},
        env: (body.Env as string[] | undefined) ?? [],
        hostConfig: {
          NetworkMode: 'default',
          ...((body.HostConfig as Record<string, unknown> | undefined) ?? {}),
        },
        exposedPorts: (body.ExposedPorts as Record<string, unknown> | undefined) ?? {},
      };
      this.#containers.set(c.id, c);
      this.#ids = undefined;
      this.#emit(c, 'create');
      this.#json(res, 201, { Id: c.id, Warnings: [] });
    } else if (m && method === 'GET' && m[2] === 'json') {
      this.#count('GET /containers/{id}/json');
      const c = this.#find(decodeURIComponent(m[1]!));
      if (!c) this.#json(res, 404, { message: `No such container: ${m[1]}` });
      else this.#json(res, 200, this.#inspect(c));
    } else if (m && method === 'POST' && (m[2] === 'start' || m[2] === 'stop')) {
      this.#count(`POST /containers/{id}/${m[2]}`);
      const c = this.#find(decodeURIComponent(m[1]!));
      if (!c) {
        this.#json(res, 404, { message: `No such container: ${m[1]}` });
        return;
      }
      const target = m[2] === 'start' ? 'running' : 'exited';
      if (c.state === target) {
        res.writeHead(304).end();
        return;
      }
      c.state = target;
      this.#emit(c, m[2] === 'start' ? 'start' : 'die');
      res.writeHead(204).end();
    } else if (m && method === 'DELETE' && m[2] === undefined) {
      this.#count('DELETE /containers/{id}');
      const c = this.#find(decodeURIComponent(m[1]!));
      if (!c) {
        this.#json(res, 404, { message: `No such container: ${m[1]}` });
        return;
      }
      this.#containers.delete(c.id);
      this.#ids = undefined;
      this.#emit(c, 'destroy');
      res.writeHead(204).end();
    } else if (method === 'GET' && path === '/images/json') {
      this.#count('GET /images/json');
      this.#json(res, 200, [
        {
          Id: IMAGE_ID,
          RepoTags: ['busybox:latest'],
          RepoDigests: [],
          Created: 1_700_000_000,
          Size: 1_234_567,
          Labels: null,
        },
      ]);
    } else if (method === 'GET' && path === '/networks') {
      this.#count('GET /networks');
      this.#json(
        res,
        200,
        ['bridge', 'host', 'none'].map((n) => ({
          Id: `${n}-${this.id.replaceAll(':', '').toLowerCase()}`,
          Name: n,
          Scope: 'local',
          Driver: n === 'none' ? 'null' : n,
          Containers: {},
        })),
      );
    } else if (method === 'GET' && path === '/volumes') {
      this.#count('GET /volumes');
      this.#json(res, 200, { Volumes: [], Warnings: null });
    } else if (method === 'GET' && path === '/events') {
      this.#count('GET /events');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      this.#events.add(res);
      res.on('close', () => this.#events.delete(res));
    } else {
      this.#json(res, 404, { message: `page not found: ${method} ${path} (SimulatedEngine)` });
    }
  }
}
