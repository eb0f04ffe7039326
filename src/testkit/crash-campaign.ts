/**
 * The kill -9 campaign: runs `shoal machine create`, `machine rm`, `up` and `down` and SIGKILLs each at a random
 * point (seeded, so a run can be replayed), then checks what a user would do next works: `machine ls` and
 * `machine status` (or `status` for a cluster) answer without a stack trace, `rm -f` (or `down`) removes every trace
 * (namespaces, processes, links, addresses, FORWARD rules, leases, locks, mounts, files), and the same name can be
 * created again. Every kill point is drawn in [0, duration) of that command's last complete run, so most kills land
 * inside it.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NETNS_DIR, NS_ROOT } from '../host/namespaces.js';
import { run } from '../host/run.js';
import { type Rng, seededRng } from '../util/rng.js';
import { type RunResult, runCommand } from './hosts.js';

/** The commands the campaign kills. */
export type CrashOp = 'create' | 'rm' | 'up' | 'down';

/** Options of {@link runCrashCampaign}. */
export interface CrashCampaignOptions {
  readonly seed: number;
  /** Number of kills (each cycle kills a create then an rm, or an up then a down). */
  readonly runs: number;
  /** Which cycles to draw from: machine (create + rm) and cluster (up + down). */
  readonly cycles: readonly ('machine' | 'cluster')[];
  /** Prefix and subnet of every name and address made (unique to the campaign). */
  readonly prefix: string;
  readonly subnet: string;
  /** An empty store folder. */
  readonly store: string;
  /** Path of the built CLI (`dist/cli/main.js`). */
  readonly cli: string;
  /** Cluster file for `up` (JSON). */
  readonly upFile: string;
  readonly log?: (line: string) => void;
}

/** One kill and what was found after it. */
export interface CrashRun {
  readonly n: number;
  readonly op: CrashOp;
  readonly killAfterMs: number;
  /** False when the command ended before the kill. */
  readonly killed: boolean;
  /** Broken promises found (empty = fine). */
  readonly violations: string[];
}

/** Result of {@link runCrashCampaign}. */
export interface CrashReport {
  readonly seed: number;
  readonly runs: CrashRun[];
  readonly violations: number;
}

const MACHINE = 'crash1';

/** Lines of output that betray an unhandled exception. */
function stackTrace(r: RunResult): string | undefined {
  return /^\s+at .+:\d+:\d+\)?$/m.test(`${r.stdout}\n${r.stderr}`) ? r.stderr.slice(0, 400) : undefined;
}

/** Every trace of the campaign's prefix and store left on this machine (machines and `up` included); empty when none. */
export async function tracesOf(prefix: string, store: string): Promise<string[]> {
  const found: string[] = [];
  for (const dir of [NETNS_DIR, NS_ROOT]) {
    for (const n of await readdir(dir).catch(() => [] as string[])) {
      if (n.startsWith(`${prefix}-`)) found.push(`namespace ${join(dir, n)}`);
    }
  }
  const linkRe = new RegExp(`^${prefix}[vb][0-9a-f]{8}$`);
  const links = (await run(['ip', '-o', 'link', 'show'], { allowFail: true })).stdout;
  for (const l of links.split('\n')) {
    const name = l.split(':')[1]?.trim().split('@')[0] ?? '';
    if (linkRe.test(name)) found.push(`link ${name}`);
  }
  const bridgeRe = new RegExp(`\\b${prefix}b[0-9a-f]{8}\\b`);
  for (const table of ['filter', 'nat']) {
    const rules = (await run(['iptables', '-t', table, '-S'], { allowFail: true })).stdout;
    for (const r of rules.split('\n')) if (bridgeRe.test(r)) found.push(`iptables -t ${table}: ${r}`);
  }
  for (const dir of ['/run/shoal/leases', '/run/shoal/locks']) {
    for (const n of await readdir(dir).catch(() => [] as string[])) {
      if (new RegExp(`^${prefix}b[0-9a-f]{8}$`).test(n)) found.push(`${join(dir, n)}`);
    }
  }
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  for (const m of mounts.split('\n')) {
    const point = m.split(' ')[4] ?? '';
    if (point.startsWith(store) || point.startsWith(join(NS_ROOT, `${prefix}-`)))
      found.push(`mount ${point}`);
  }
  for (const pid of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    if (Number(pid) === process.pid) continue;
    const cmd = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
    if (cmd.includes(store)) found.push(`process ${pid}: ${cmd.slice(0, 160)}`);
  }
  for (const path of await filesUnder(store)) {
    if (path.includes('.tmp-') || path.includes('.removing-')) found.push(`leftover ${path}`);
  }
  for (const dir of ['machines', 'up']) {
    for (const n of await readdir(join(store, dir)).catch(() => [] as string[])) found.push(`${dir}/${n}`);
  }
  return found;
}

async function filesUnder(dir: string, depth = 3): Promise<string[]> {
  if (depth < 0) return [];
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    out.push(p);
    if (e.isDirectory() && e.name !== 'data' && e.name !== 'run')
      out.push(...(await filesUnder(p, depth - 1)));
  }
  return out;
}

/** Runs the campaign; see the module comment. Leaves nothing behind when every run passes. */
export async function runCrashCampaign(o: CrashCampaignOptions): Promise<CrashReport> {
  const rng: Rng = seededRng(o.seed);
  const log = o.log ?? (() => undefined);
  const env = { SHOAL_STORAGE_PATH: o.store };
  const shoal = (...args: string[]) => runCommand(['node', o.cli, ...args], { env });
  const netnsFlags = ['--netns-prefix', o.prefix, '--netns-subnet', o.subnet];
  const argvOf: Record<CrashOp, string[]> = {
    create: ['machine', 'create', '-d', 'netns', ...netnsFlags, MACHINE],
    rm: ['machine', 'rm', '-y', MACHINE],
    up: ['up', '-f', o.upFile, '--prefix', o.prefix, '--subnet', o.subnet],
    down: ['down'],
  };
  // Durations of the last complete run of each command (first guesses until one completes).
  const took: Record<CrashOp, number> = { create: 8000, rm: 2000, up: 40_000, down: 6000 };
  const runs: CrashRun[] = [];

  /** Runs a command to its end, timing it. */
  const complete = async (op: CrashOp): Promise<RunResult> => {
    const t = Date.now();
    const r = await shoal(...argvOf[op]);
    if (r.code === 0) took[op] = Date.now() - t;
    return r;
  };

  /** Starts `op` and SIGKILLs it after a drawn delay; returns the delay and whether it was still running. */
  const killed = async (op: CrashOp): Promise<{ ms: number; killed: boolean }> => {
    const ms = Math.floor(rng() * took[op]);
    const child = spawn('node', [o.cli, ...argvOf[op]], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let done = false;
    void ended.then(() => {
      done = true;
    });
    await Promise.race([new Promise((r) => setTimeout(r, ms)), ended]);
    const wasRunning = !done;
    if (wasRunning) child.kill('SIGKILL');
    await ended;
    // Commands the killed CLI had started (ip, nsenter, iptables) finish on their own.
    await new Promise((r) => setTimeout(r, 500));
    return { ms, killed: wasRunning };
  };

  /** After a kill: what a user looks at first must answer without a stack trace. */
  const looks = async (cluster: boolean): Promise<string[]> => {
    const v: string[] = [];
    const checks = cluster
      ? [['machine', 'ls'], ['status']]
      : [
          ['machine', 'ls'],
          ['machine', 'status', MACHINE],
        ];
    for (const c of checks) {
      const r = await shoal(...c);
      const trace = stackTrace(r);
      if (trace) v.push(`shoal ${c.join(' ')} printed a stack trace: ${trace}`);
      if (c[1] === 'ls' && r.code !== 0) v.push(`shoal machine ls exited ${r.code}: ${r.stderr.trim()}`);
    }
    return v;
  };

  /** The clean-up a user would run, then the trace check. */
  const cleanUp = async (cluster: boolean): Promise<string[]> => {
    const v: string[] = [];
    const r = cluster ? await shoal('down') : await shoal('machine', 'rm', '-f', '-y', MACHINE);
    const trace = stackTrace(r);
    if (trace) v.push(`clean-up printed a stack trace: ${trace}`);
    // `down` with no recorded cluster and `rm -f` of an unknown machine may refuse; the traces decide.
    for (const t of await tracesOf(o.prefix, o.store)) v.push(`left behind: ${t}`);
    return v;
  };

  const record = (op: CrashOp, k: { ms: number; killed: boolean }, v: string[]): void => {
    const n = runs.length + 1;
    runs.push({ n, op, killAfterMs: k.ms, killed: k.killed, violations: v });
    log(
      `run ${String(n).padStart(2)}  kill ${op.padEnd(6)} after ${String(k.ms).padStart(6)} ms  ${k.killed ? 'killed' : 'had ended'}  ${v.length ? `VIOLATIONS:\n    ${v.join('\n    ')}` : 'ok'}`,
    );
  };

  while (runs.length < o.runs) {
    const cluster = o.cycles[Math.floor(rng() * o.cycles.length)] === 'cluster';
    const [first, second]: [CrashOp, CrashOp] = cluster ? ['up', 'down'] : ['create', 'rm'];
    // 1. kill the making
    const k1 = await killed(first);
    const v1 = [...(await looks(cluster)), ...(await cleanUp(cluster))];
    record(first, k1, v1);
    if (runs.length >= o.runs) break;
    // the same name again, to the end
    const again = await complete(first);
    if (again.code !== 0) {
      record(first, { ms: 0, killed: false }, [
        `could not be made again after the clean-up: ${again.stderr.trim().split('\n').slice(-3).join(' / ')}`,
      ]);
      await cleanUp(cluster);
      continue;
    }
    // 2. kill the removal
    const t = Date.now();
    const k2 = await killed(second);
    if (!k2.killed) took[second] = Date.now() - t;
    const v2 = [...(await looks(cluster)), ...(await cleanUp(cluster))];
    record(second, k2, v2);
  }
  return { seed: o.seed, runs, violations: runs.reduce((n, r) => n + r.violations.length, 0) };
}
