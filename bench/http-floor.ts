/**
 * Floors under the manager's initial sync, for bench/scale.ts: the same HTTP calls the sync makes to every engine
 * (`/version`, `/info`, the container list, one inspect per container, the image, network and volume lists), sent by
 * a bare client that only parses each answer and keeps nothing, with none of the manager's work (validation, caching,
 * indexing). Every engine is read at once, each over one kept-alive connection. Two clients:
 *   - `library`: undici, the library the manager uses: what the calls cost on this machine as the manager makes them;
 *   - `runtime`: plain sockets and a few lines of framing that handle only what the simulated engine sends (a
 *     `Content-Length` body, answers in order), so no HTTP library at all: what Node itself needs for the calls. It
 *     is a measuring stick, not a client: no chunked bodies, no errors, no timeouts.
 */
import { connect, type Socket } from 'node:net';
import { type Dispatcher, Pool } from 'undici';

/** What the bare client spent. */
export interface HttpFloor {
  readonly calls: number;
  readonly wallMs: number;
  /** CPU seconds of this process over the run (the benchmark's process is otherwise idle then). */
  readonly cpuS: number;
}

/** One GET through `pool`, its answer parsed as JSON. */
function getJson(pool: Pool, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const handler: Dispatcher.DispatchHandler = {
      onConnect() {},
      onHeaders() {
        return true;
      },
      onData(chunk) {
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (err) {
          reject(err);
        }
      },
      onError: reject,
    };
    pool.dispatch({ method: 'GET', path }, handler);
  });
}

/** A kept-alive socket to one simulated engine taking GETs in order (see the file comment: runtime floor only). */
class BareConnection {
  readonly #socket: Socket;
  readonly #waiting: ((body: unknown) => void)[] = [];
  #buf: Buffer = Buffer.alloc(0);

  constructor(addr: string) {
    const [host, port] = addr.split(':');
    this.#socket = connect({ host: host!, port: Number(port), noDelay: true });
    this.#socket.on('data', (d: Buffer) => this.#take(d));
  }

  get(path: string): Promise<unknown> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#socket.write(`GET ${path} HTTP/1.1\r\nHost: engine\r\n\r\n`, 'latin1');
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #take(d: Buffer): void {
    this.#buf = this.#buf.length > 0 ? Buffer.concat([this.#buf, d]) : d;
    for (;;) {
      const end = this.#buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: *(\d+)/i.exec(this.#buf.toString('latin1', 0, end))?.[1]);
      if (this.#buf.length < end + 4 + length) return;
      const body = this.#buf.toString('utf8', end + 4, end + 4 + length);
      this.#buf = this.#buf.subarray(end + 4 + length);
      this.#waiting.shift()?.(JSON.parse(body));
    }
  }
}

/** A client of either kind, reduced to what the sync's calls need. */
interface FloorClient {
  get(path: string): Promise<unknown>;
  close(): Promise<unknown> | undefined;
}

function libraryClient(addr: string): FloorClient {
  const pool = new Pool(`http://${addr}`, { connections: 1 });
  return { get: (path) => getJson(pool, path), close: () => pool.destroy() };
}

function runtimeClient(addr: string): FloorClient {
  const c = new BareConnection(addr);
  return { get: (path) => c.get(path), close: () => void c.close() };
}

/** Reads every engine at `addrs` (`host:port`) the way the sync does, with one kind of client; see the file comment. */
export async function measureHttpFloor(
  addrs: readonly string[],
  kind: 'library' | 'runtime' = 'library',
): Promise<HttpFloor> {
  const clients = addrs.map(kind === 'library' ? libraryClient : runtimeClient);
  let calls = 0;
  const get = (client: FloorClient, path: string) => {
    calls++;
    return client.get(path);
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    await Promise.all(
      clients.map(async (client) => {
        await get(client, '/version');
        await get(client, '/info');
        const list = (await get(client, '/containers/json?all=1')) as { Id: string }[];
        await Promise.all(list.map((c) => get(client, `/containers/${c.Id}/json`)));
        await get(client, '/images/json?all=1');
        await get(client, '/networks');
        await get(client, '/volumes');
      }),
    );
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { calls, wallMs, cpuS: (cpu.user + cpu.system) / 1e6 };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}
