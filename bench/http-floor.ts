/**
 * The floor under the manager's initial sync, for bench/scale.ts: the same HTTP calls the sync makes to every engine
 * (`/version`, `/info`, the container list, one inspect per container, the image, network and volume lists), sent by a
 * bare undici client that only parses each answer and keeps nothing. It is what the calls themselves cost on this
 * machine, with the library the manager uses and none of the manager's work (validation, caching, indexing), so the
 * manager's sync can be read as a multiple of it. Every engine is read at once, each over one kept-alive connection.
 */
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

/** Reads every engine at `addrs` (`host:port`) the way the sync does; see the file comment. */
export async function measureHttpFloor(addrs: readonly string[]): Promise<HttpFloor> {
  const pools = addrs.map((a) => new Pool(`http://${a}`, { connections: 1 }));
  let calls = 0;
  const get = (pool: Pool, path: string) => {
    calls++;
    return getJson(pool, path);
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    await Promise.all(
      pools.map(async (pool) => {
        await get(pool, '/version');
        await get(pool, '/info');
        const list = (await get(pool, '/containers/json?all=1')) as { Id: string }[];
        await Promise.all(list.map((c) => get(pool, `/containers/${c.Id}/json`)));
        await get(pool, '/images/json?all=1');
        await get(pool, '/networks');
        await get(pool, '/volumes');
      }),
    );
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { calls, wallMs, cpuS: (cpu.user + cpu.system) / 1e6 };
  } finally {
    await Promise.all(pools.map((p) => p.destroy()));
  }
}
