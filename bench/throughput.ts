/**
 * Placement throughput under concurrency (`npm run bench:throughput`): N simulated engines (default 1,000, each
 * 4 CPUs / 8 GiB with 30 containers) behind one `shoal manage`, then C concurrent clients (default 32) each running
 * `docker run -d` as the API sees it (`POST /containers/create` with a memory reservation, then `/start`) until
 * `--creates` containers were asked for. Each container reserves `--memory` (default 2 GiB), so the fleet holds 4 per
 * engine (8 GiB + 5% overcommit) and asking for more than that fills it: later creates must be refused.
 *
 * Prints creates + starts per second over the successful pairs, their latency p50/p99, the manager's CPU time per
 * pair (user + system, from /proc: steadier than the rate on a shared machine), and the refusals. Then the
 * property check, against the engines themselves (not the manager's view): no engine holds more reserved memory
 * than it has (with the 5% overcommit), and the engines hold exactly the containers the manager said it created.
 *
 *   npm run bench:throughput -- [--engines 1000] [--clients 32] [--creates 3000] [--memory 2g] [--threads 2]
 *       [--prof-dir DIR]   the manager writes a V8 CPU profile there when it stops
 *
 * Exits 1 when the property check fails. Everything it starts is stopped in `finally`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { freePort } from '../src/util/free-port.js';
import { shoalNodeFlags } from '../src/util/node-flags.js';
import { cpuSeconds } from './proc-cpu.js';
import { startFleet } from './sim-engine/sim-fleet.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const ENGINES = Number(args.get('engines') ?? 1000);
const CLIENTS = Number(args.get('clients') ?? 32);
const CREATES = Number(args.get('creates') ?? 3000);
const THREADS = Number(args.get('threads') ?? 2);
const CONTAINERS = 30;
const ENGINE_MEMORY = 8 * 1024 ** 3;
const OVERCOMMIT = 0.05;
const MEMORY = parseBytes(args.get('memory') ?? '2g');
const CLI = args.get('cli') ?? 'dist/cli/main.js';
/** When set, the manager runs with `--cpu-prof` writing its profile into this directory (on a graceful stop). */
const PROF_DIR = args.get('prof-dir');

function parseBytes(s: string): number {
  const m = /^(\d+)([kmg]?)$/i.exec(s);
  if (!m) throw new Error(`bad size ${s}`);
  return Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase());
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor(s.length * p))]! * 10) / 10 : 0;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'shs-tp-'));
  const agent = new Agent({ connections: CLIENTS + 4, keepAliveTimeout: 60_000 });
  const fleet = await startFleet(ENGINES, CONTAINERS, THREADS);
  let manager: ChildProcess | undefined;
  // interrupted (Ctrl-C, timeout): take the manager down too; the fleet's workers end with their IPC channel
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      manager?.kill('SIGKILL');
      process.exit(130);
    });
  }
  try {
    const list = join(dir, 'engines');
    await writeFile(list, `${fleet.addrs.join('\n')}\n`);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    manager = spawn(
      process.execPath,
      [
        ...(PROF_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROF_DIR] : []),
        ...shoalNodeFlags(process.cwd()),
        CLI,
        'manage',
        '-H',
        `tcp://127.0.0.1:${port}`,
        `file://${list}`,
      ],
      { stdio: 'ignore' },
    );
    const want = ENGINES * CONTAINERS;
    const t0 = performance.now();
    for (;;) {
      if (manager.exitCode !== null) throw new Error(`manager exited ${manager.exitCode}`);
      try {
        const r = await request(`${base}/info`, { dispatcher: agent });
        const info = JSON.parse(await r.body.text()) as { Containers?: number };
        if ((info.Containers ?? 0) >= want) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(
      `${ENGINES} simulated engines synced in ${Math.round(performance.now() - t0)} ms; ${CLIENTS} clients ask for ` +
        `${CREATES} containers of ${MEMORY / 1024 ** 3} GiB (room for ` +
        `${ENGINES * Math.floor((ENGINE_MEMORY * (1 + OVERCOMMIT)) / MEMORY)}); load ${loadavg()[0]!.toFixed(1)}`,
    );

    const latencies: number[] = [];
    const refusals = new Map<string, number>();
    let created = 0;
    let next = 0;
    const cpuBefore = await cpuSeconds(manager.pid!);
    const start = performance.now();
    const client = async (): Promise<void> => {
      for (let i = next++; i < CREATES; i = next++) {
        const a = performance.now();
        const r = await request(`${base}/containers/create?name=tp-${i}`, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ Image: 'busybox', Cmd: ['sleep', '1d'], HostConfig: { Memory: MEMORY } }),
        });
        const text = await r.body.text();
        if (r.statusCode !== 201) {
          const key = `${r.statusCode} ${(JSON.parse(text) as { message?: string }).message?.slice(0, 80)}`;
          refusals.set(key, (refusals.get(key) ?? 0) + 1);
          continue;
        }
        created++;
        const { Id } = JSON.parse(text) as { Id: string };
        const s = await request(`${base}/containers/${Id}/start`, { method: 'POST', dispatcher: agent });
        await s.body.text();
        if (s.statusCode !== 204) throw new Error(`start ${s.statusCode}`);
        latencies.push(performance.now() - a);
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    const wall = (performance.now() - start) / 1000;
    const cpu = (await cpuSeconds(manager.pid!)) - cpuBefore;
    console.table([
      {
        clients: CLIENTS,
        asked: CREATES,
        'created+started': latencies.length,
        refused: CREATES - created,
        'wall s': Math.round(wall * 10) / 10,
        'runs/s': Math.round(latencies.length / wall),
        'p50 ms': pct(latencies, 0.5),
        'p99 ms': pct(latencies, 0.99),
        // the manager's CPU per create+start: what the rate would be with a core to itself, whatever the load
        'mgr CPU ms/run': Math.round((cpu * 1000 * 100) / Math.max(1, latencies.length)) / 100,
        load: loadavg()[0]!.toFixed(1),
      },
    ]);
    for (const [reason, n] of refusals) console.log(`refused ${n}×: ${reason}`);

    // The property, read from the engines: nobody overbooked, and every container the manager created exists once.
    const usage = await fleet.usage();
    const limit = ENGINE_MEMORY * (1 + OVERCOMMIT);
    const over = usage.filter((u) => u.memory > limit);
    const held = usage.reduce((n, u) => n + u.containers, 0);
    const fullest = Math.max(...usage.map((u) => u.memory)) / 1024 ** 3;
    console.log(
      `property: ${over.length} of ${usage.length} engines overbooked (fullest holds ${fullest} GiB of ` +
        `${(limit / 1024 ** 3).toFixed(1)}); engines hold ${held} reserving containers, the manager created ${created}`,
    );
    if (over.length > 0 || held !== created) process.exitCode = 1;
  } finally {
    if (manager && manager.exitCode === null) {
      // a profiling manager writes its profile once it has closed every engine: give it time to
      const exited = new Promise((r) => manager?.once('exit', r));
      manager.kill(PROF_DIR ? 'SIGTERM' : 'SIGKILL');
      const t = setTimeout(() => manager?.kill('SIGKILL'), 180_000);
      await exited;
      clearTimeout(t);
    }
    await agent.close();
    await fleet.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
