/**
 * Scale benchmark through the real manager: N `SimulatedEngine`s (default 1,000 × 30 containers) on loopback ports,
 * spread over worker threads (sim-engine/sim-fleet.ts) so the measuring client has its own event loop, `shoal manage`
 * pointed at them through a file:// discovery list, then:
 *   - the initial sync: time until `/info` counts every container, and the CPU time the manager used until then
 *     (on a shared machine the wall time follows the load; the CPU time is what the sync itself costs);
 *   - `docker info` latency: `GET /info` on the manager, sequential, p50/p99 (plus a few real docker CLI runs);
 *   - `docker run -d` latency: `POST /containers/create` (name check + scheduling + engine create) and
 *     create+start, sequential, p50/p99; from the manager's `Server-Timing` header, the scheduling step alone and
 *     the manager-side time (the whole create less the engine call);
 *   - the manager's peak memory (VmHWM from /proc) and peak open files.
 * With several sizes (`--engines 1000,3000,5000`) each runs on a fresh fleet and manager, and one cost-curve table
 * closes the run.
 *
 *   npm run bench:scale -- [--engines 1000[,3000,...]] [--containers 30] [--infos 1000] [--runs 300]
 *       [--threads 2]        processes serving the fleet
 *       [--prof-dir DIR]     the manager writes a V8 CPU profile there when it exits (it gets up to 3 minutes to
 *                            close and write it instead of 5 s)
 *       [--log-file FILE]    the manager's log (default: a temp file)
 *       [--trace 1]          print the container count at each poll during the sync
 *       [--floor 0]          skip the floors: the sync's calls from a bare undici client and from plain sockets
 *                            (http-floor.ts), each on a fleet of its own, before the manager's run
 *
 * The fleet runs in several processes, each with its own limit of open files (a listening socket per engine and the
 * server side of every manager connection); the manager runs under the benchmark's own limit. A p99 needs enough samples to mean
 * something: with 200 calls it is the 2nd-worst and one GC pause decides it, so the defaults take 1,000 `/info`
 * calls and 300 creates. Each size prints the 1-minute load average before and after: the machine is shared.
 *
 * Everything it starts (the engine workers, the manager child, the temp dir) is stopped in `finally`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { freePort } from '../src/util/free-port.js';
import { shoalNodeFlags } from '../src/util/node-flags.js';
import { type HttpFloor, measureHttpFloor } from './http-floor.js';
import { cpuSeconds } from './proc-cpu.js';
import { startFleet } from './sim-engine/sim-fleet.js';

/** Open files of process `pid` now (0 when it is gone). */
async function openFiles(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`).catch(() => [])).length;
}

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const SIZES = (args.get('engines') ?? '1000').split(',').map(Number);
const THREADS = Number(args.get('threads') ?? 2);
const CONTAINERS = Number(args.get('containers') ?? 30);
const INFOS = Number(args.get('infos') ?? 1000);
const RUNS = Number(args.get('runs') ?? 300);
const CONVERGE_S = Number(args.get('converge-timeout') ?? 600);
const CLI = args.get('cli') ?? 'dist/cli/main.js';
const DOCKER = args.get('docker') ?? '/usr/local/bin/docker';
/** When set, the manager runs with `--cpu-prof` writing its profile into this directory. */
const PROF_DIR = args.get('prof-dir');
/** Where the manager's log goes (default: a temp file, removed at the end). */
const LOG_FILE = args.get('log-file');
/** Print the container count seen at each poll while the manager syncs. */
const TRACE = args.has('trace');
/** Measure the bare client's floor under the sync (http-floor.ts) first; `--floor 0` skips it. */
const FLOOR = args.get('floor') !== '0';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(s.length * p))]! * 10) / 10;
}

/** One duration (ms) from a `Server-Timing` header; throws when the manager did not send it. */
function serverTiming(header: string, metric: string): number {
  const m = new RegExp(`(?:^|,\\s*)${metric};dur=([\\d.]+)`).exec(header);
  if (!m) throw new Error(`no ${metric} in Server-Timing "${header}"`);
  return Number(m[1]);
}

async function vm(pid: number): Promise<{ rss: number; hwm: number }> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(text)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** One size's results. */
interface SizeResult {
  engines: number;
  containers: number;
  syncMs: number;
  /** CPU seconds the manager used until it saw every container (start-up included). */
  syncCpu: number;
  /** CPU seconds the fleet's processes used over the same time. */
  fleetCpu: number;
  /** The same calls from bare clients (http-floor.ts), each on a fleet of its own; undefined with `--floor 0`. */
  floor: { library: HttpFloor; runtime: HttpFloor } | undefined;
  info: number[];
  create: number[];
  schedule: number[];
  run: number[];
  peakRssMb: number;
  peakFds: number;
  load: string;
}

let stopping: (() => void) | undefined;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    stopping?.();
    process.exit(130);
  });
}

/** The sync's calls from a bare client of one kind over a fresh fleet of `engines` engines (see http-floor.ts). */
async function floorOf(engines: number, kind: 'library' | 'runtime'): Promise<HttpFloor> {
  const fleet = await startFleet(engines, CONTAINERS, THREADS);
  try {
    const floor = await measureHttpFloor(fleet.addrs, kind);
    console.log(
      `a bare client (${kind === 'library' ? 'undici' : 'plain sockets'}) makes the sync's ${floor.calls} calls ` +
        `in ${Math.round(floor.wallMs)} ms, using ${floor.cpuS.toFixed(1)} s of CPU`,
    );
    return floor;
  } finally {
    await fleet.stop();
  }
}

async function measure(engines: number): Promise<SizeResult> {
  // first, on a fleet of its own: the fleet's processes are fresh for the manager either way
  const floor = FLOOR
    ? { library: await floorOf(engines, 'library'), runtime: await floorOf(engines, 'runtime') }
    : undefined;
  const dir = await mkdtemp(join(tmpdir(), 'shs-scale-'));
  const agent = new Agent({ connections: 8, keepAliveTimeout: 60_000 });
  let manager: ChildProcess | undefined;
  const loadBefore = loadavg()[0]!.toFixed(1);
  const t0 = performance.now();
  const fleet = await startFleet(engines, CONTAINERS, THREADS);
  try {
    const list = join(dir, 'engines');
    await writeFile(list, `${fleet.addrs.join('\n')}\n`);
    console.log(
      `${engines} simulated engines × ${CONTAINERS} containers up in ${Math.round(performance.now() - t0)} ms ` +
        `(${THREADS} processes; load ${loadBefore})`,
    );

    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const fleetCpu = async () => (await Promise.all(fleet.pids.map(cpuSeconds))).reduce((a, b) => a + b, 0);
    const fleetCpu0 = await fleetCpu();
    const t1 = performance.now();
    const argv = [
      process.execPath,
      ...(PROF_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROF_DIR] : []),
      ...shoalNodeFlags(process.cwd()), // as ./shoal starts it
      CLI,
      'manage',
      '-H',
      `tcp://${host}`,
      '--heartbeat',
      '5s',
      `file://${list}`,
    ];
    manager = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    stopping = () => manager?.kill('SIGKILL');
    let stderr = '';
    const logFile = createWriteStream(LOG_FILE ?? join(dir, 'manager.log'));
    manager.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
      logFile.write(d);
    });
    manager.stdout?.on('data', (d: Buffer) => logFile.write(d));
    const pid = manager.pid!;
    let peakRss = 0;
    let peakFds = 0;
    const sampler = setInterval(() => {
      vm(pid)
        .then((m) => {
          peakRss = Math.max(peakRss, m.rss);
        })
        .catch(() => undefined);
      openFiles(pid)
        .then((n) => {
          peakFds = Math.max(peakFds, n);
        })
        .catch(() => undefined);
    }, 200);

    const base = `http://${host}`;
    const get = async (path: string) => {
      const r = await request(`${base}${path}`, { dispatcher: agent });
      const text = await r.body.text();
      return { status: r.statusCode, text, timing: String(r.headers['server-timing'] ?? '') };
    };
    const want = engines * CONTAINERS;
    let seen = -1;
    for (;;) {
      if (manager.exitCode !== null) throw new Error(`manager exited ${manager.exitCode}: ${stderr}`);
      if (performance.now() - t1 > CONVERGE_S * 1000)
        throw new Error(`manager saw ${seen} of ${want} containers`);
      let render = 0;
      try {
        const r = await get('/info');
        if (r.status === 200) {
          render = serverTiming(r.timing, 'render');
          seen = (JSON.parse(r.text) as { Containers?: number }).Containers ?? -1;
          if (TRACE) console.log(`  ${Math.round(performance.now() - t1)} ms: ${seen} containers`);
          if (seen >= want) break;
        }
      } catch {
        // not listening yet
      }
      // A poll costs the manager one render of every engine: spaced to 9 renders' time it stays a tenth of the
      // manager's time. The wait does not follow the poll's round trip, which on a busy machine is mostly queueing:
      // that made the polls (and the measured sync) seconds apart.
      await new Promise((r) => setTimeout(r, Math.max(200, 9 * render)));
    }
    const converge = Math.round(performance.now() - t1);
    const syncCpu = await cpuSeconds(pid);
    const syncFleetCpu = (await fleetCpu()) - fleetCpu0;
    console.log(
      `manager (pid ${pid}) sees ${seen} containers on ${engines} engines after ${converge} ms, ` +
        `having used ${syncCpu.toFixed(1)} s of CPU (the fleet ${syncFleetCpu.toFixed(1)} s)`,
    );

    const infos: number[] = [];
    const renders: number[] = [];
    for (let i = 0; i < INFOS; i++) {
      const a = performance.now();
      const r = await get('/info');
      if (r.status !== 200) throw new Error(`/info ${r.status}: ${r.text}`);
      infos.push(performance.now() - a);
      renders.push(serverTiming(r.timing, 'render'));
    }

    const creates: number[] = [];
    const schedules: number[] = [];
    const managerSide: number[] = [];
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const a = performance.now();
      const r = await request(`${base}/containers/create?name=scale-${i}`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          Image: 'busybox',
          Cmd: ['sleep', '1d'],
          Env: i % 2 ? ['constraint:region==eu'] : [],
        }),
      });
      const text = await r.body.text();
      if (r.statusCode !== 201) throw new Error(`create ${r.statusCode}: ${text}`);
      const b = performance.now();
      // the manager reports where the create's time went (W3C Server-Timing): the scheduling step, the engine call
      const timing = String(r.headers['server-timing'] ?? '');
      schedules.push(serverTiming(timing, 'schedule'));
      managerSide.push(b - a - serverTiming(timing, 'engine'));
      const { Id } = JSON.parse(text) as { Id: string };
      const s = await request(`${base}/containers/${Id}/start`, { method: 'POST', dispatcher: agent });
      await s.body.text();
      if (s.statusCode !== 204) throw new Error(`start ${s.statusCode}`);
      creates.push(b - a);
      runs.push(performance.now() - a);
    }

    const cli: number[] = [];
    for (let i = 0; i < 5; i++) {
      const a = performance.now();
      await promisify(execFile)(DOCKER, ['-H', `tcp://${host}`, 'info'], { maxBuffer: 64 * 1024 * 1024 });
      cli.push(performance.now() - a);
    }
    clearInterval(sampler);
    const final = await vm(pid);
    const rows = [
      {
        measure: 'GET /info (docker info), manager',
        n: INFOS,
        p50ms: pct(infos, 0.5),
        p99ms: pct(infos, 0.99),
      },
      {
        measure: '/info render, manager side (Server-Timing)',
        n: INFOS,
        p50ms: pct(renders, 0.5),
        p99ms: pct(renders, 0.99),
      },
      {
        measure: 'POST /containers/create (scheduling + create)',
        n: RUNS,
        p50ms: pct(creates, 0.5),
        p99ms: pct(creates, 0.99),
      },
      {
        measure: 'scheduling step (Server-Timing: schedule)',
        n: RUNS,
        p50ms: pct(schedules, 0.5),
        p99ms: pct(schedules, 0.99),
      },
      {
        measure: 'create, manager side (total − engine call)',
        n: RUNS,
        p50ms: pct(managerSide, 0.5),
        p99ms: pct(managerSide, 0.99),
      },
      { measure: 'create + start (docker run -d)', n: RUNS, p50ms: pct(runs, 0.5), p99ms: pct(runs, 0.99) },
      { measure: 'docker CLI `info` end to end', n: cli.length, p50ms: pct(cli, 0.5), p99ms: pct(cli, 0.99) },
    ];
    console.table(rows);
    const peakRssMb = Math.round(Math.max(peakRss, final.hwm));
    console.log(
      `manager peak RSS ${peakRssMb} MB (VmHWM ${Math.round(final.hwm)} MB), peak open files ${peakFds}, ` +
        `converged in ${converge} ms`,
    );
    return {
      engines,
      containers: want,
      syncMs: converge,
      syncCpu,
      fleetCpu: syncFleetCpu,
      floor,
      info: infos,
      create: creates,
      schedule: schedules,
      run: runs,
      peakRssMb,
      peakFds,
      load: `${loadBefore}→${loadavg()[0]!.toFixed(1)}`,
    };
  } finally {
    if (manager && manager.exitCode === null) {
      manager.kill('SIGTERM');
      const exited = new Promise((r) => manager?.once('exit', r));
      // A profiling manager writes its CPU profile only once it has closed every engine: give it time to.
      const t = setTimeout(() => manager?.kill('SIGKILL'), PROF_DIR ? 180_000 : 5000);
      await exited;
      clearTimeout(t);
    }
    stopping = undefined;
    await agent.close();
    await fleet.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** `wall (CPU)` in seconds. */
function floorCell(f: HttpFloor): string {
  return `${(f.wallMs / 1000).toFixed(1)} (${f.cpuS.toFixed(1)})`;
}

async function main(): Promise<void> {
  const results: SizeResult[] = [];
  for (const n of SIZES) results.push(await measure(n));
  console.log(`\ncost curve (${CONTAINERS} containers per engine, ${THREADS} fleet processes):`);
  console.table(
    results.map((r) => ({
      engines: r.engines,
      containers: r.containers,
      'sync s': Math.round(r.syncMs / 100) / 10,
      's per 1k engines': Math.round((r.syncMs / r.engines) * 100) / 100,
      'sync CPU s': Math.round(r.syncCpu * 10) / 10,
      'CPU s per 1k': Math.round((r.syncCpu / r.engines) * 1000 * 100) / 100,
      'fleet CPU s': Math.round(r.fleetCpu * 10) / 10,
      'floor s (CPU)': r.floor ? floorCell(r.floor.library) : '-',
      'runtime floor s (CPU)': r.floor ? floorCell(r.floor.runtime) : '-',
      'info p50': pct(r.info, 0.5),
      'info p99': pct(r.info, 0.99),
      'create p50': pct(r.create, 0.5),
      'create p99': pct(r.create, 0.99),
      'sched p99': pct(r.schedule, 0.99),
      'run p99': pct(r.run, 0.99),
      'RSS MB': r.peakRssMb,
      'MB per 1k ctr': Math.round((r.peakRssMb / r.containers) * 1000 * 10) / 10,
      fds: r.peakFds,
      load: r.load,
    })),
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
