/**
 * Event churn (`npm run bench:churn`): N simulated engines (default 1,000 × 30 containers) behind one `shoal manage`;
 * once it is synced, the fleet stops and starts containers at `--rate` lifecycle events per second (default 500,
 * spread over every engine, each with its `die`/`start` event), and meanwhile the benchmark flips one more container
 * at a time (`--probes`, default 100) and times until the change shows in `docker ps` through the manager
 * (`GET /containers/json?all=1` filtered by the container's ID, polled every 5 ms). A probe starts every
 * `--probe-every` ms (default 200), so the default 100 probes span the 20 s over which the CPU is measured: back to
 * back they took about 1.5 s, and whether a full garbage collection (every 5-10 s under this churn) fell in that
 * window decided the p99. Prints the visibility p50/p99/max and the manager's CPU use during the churn (utime +
 * stime from /proc, in cores), next to its CPU use at rest.
 *
 *   npm run bench:churn -- [--engines 1000] [--rate 500] [--probes 100] [--probe-every 200] [--give-up-ms 5000]
 *       [--threads 2]
 *       [--prof-dir DIR]     the manager writes a V8 CPU profile there when it exits
 *
 * Everything it starts is stopped in `finally`.
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
const RATE = Number(args.get('rate') ?? 500);
const PROBES = Number(args.get('probes') ?? 100);
/** A change not visible after this long counts as not seen (and the probe moves on). */
const GIVE_UP_MS = Number(args.get('give-up-ms') ?? 5000);
const THREADS = Number(args.get('threads') ?? 2);
/** A probe starts this often (ms), or at once when the one before took longer. */
const PROBE_EVERY_MS = Number(args.get('probe-every') ?? 200);
const CONTAINERS = 30;
const CLI = args.get('cli') ?? 'dist/cli/main.js';
/** When set, the manager runs with `--cpu-prof` writing its profile into this directory. */
const PROF_DIR = args.get('prof-dir');

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor(s.length * p))]! * 10) / 10 : 0;
}

/** Cores the process used over the next `ms`. */
async function cores(pid: number, ms: number): Promise<number> {
  const a = await cpuSeconds(pid);
  const t = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const b = await cpuSeconds(pid);
  return (b - a) / ((performance.now() - t) / 1000);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'shs-churn-'));
  const agent = new Agent({ connections: 4, keepAliveTimeout: 60_000 });
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
        ...shoalNodeFlags(process.cwd()),
        ...(PROF_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROF_DIR] : []),
        CLI,
        'manage',
        '-H',
        `tcp://127.0.0.1:${port}`,
        `file://${list}`,
      ],
      { stdio: 'ignore' },
    );
    const pid = manager.pid!;
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
    console.log(`${ENGINES} simulated engines synced in ${Math.round(performance.now() - t0)} ms`);
    const idle = await cores(pid, 5000);

    fleet.churn(RATE);
    const busyCpu = cores(pid, 20_000);
    const seen: number[] = [];
    let lost = 0;
    const probesFrom = performance.now();
    for (let i = 0; i < PROBES; i++) {
      const wait = probesFrom + i * PROBE_EVERY_MS - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const engine = (i * 7919) % ENGINES;
      const flipped = await fleet.flip(engine, 1_000_003 + i * 13);
      const a = performance.now();
      const filter = encodeURIComponent(JSON.stringify({ id: [flipped.id] }));
      for (;;) {
        const r = await request(`${base}/containers/json?all=1&filters=${filter}`, { dispatcher: agent });
        const [c] = JSON.parse(await r.body.text()) as { State?: string }[];
        if (c?.State === flipped.state) {
          seen.push(performance.now() - a);
          break;
        }
        if (performance.now() - a > GIVE_UP_MS) {
          lost++;
          break;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      if ((i + 1) % 20 === 0)
        console.log(`  ${i + 1} probes: p99 so far ${pct(seen, 0.99)} ms, ${lost} not seen in time`);
    }
    const busy = await busyCpu;
    fleet.churn(0);
    console.table([
      {
        engines: ENGINES,
        'events/s': RATE,
        probes: PROBES,
        'visible p50 ms': pct(seen, 0.5),
        'visible p99 ms': pct(seen, 0.99),
        'max ms': Math.round(Math.max(...seen)),
        [`not seen in ${GIVE_UP_MS / 1000} s`]: lost,
        'manager cores at rest': Math.round(idle * 100) / 100,
        'manager cores churning': Math.round(busy * 100) / 100,
        load: loadavg()[0]!.toFixed(1),
      },
    ]);
  } finally {
    if (manager && manager.exitCode === null) {
      // a profiling manager writes its profile only on a clean exit, once it has closed every engine
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
