/**
 * `npm run chaos`: the nemesis suite. Boots a `shoal up` cluster (prefix `chaos`, subnet 10.250.0.0/24, its own
 * store) while holding /tmp/shoal-int.lock, runs the workload through both managers, injects faults of every kind
 * in an order shuffled with a printed seed, checks the invariants after each heals, and writes a JSON report and a
 * table. Everything it made is removed at the end, also after a failure or Ctrl-C. Run as root after
 * `npm run build`. Exit status: 0 when every planned fault was injected with no violation, 1 otherwise, 2 on bad
 * flags or a cluster that could not be booted.
 */
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { loadUpState } from '../../src/up/index.js';
import { seededRng } from '../../src/util/rng.js';
import { DEFAULT_TIMINGS, runCampaign, waitRecovered } from './campaign.js';
import { ChaosCluster, CLI, PREFIX, SUBNET, shoal } from './cluster.js';
import { FAULTS, selectFaults, sleep } from './faults/index.js';
import type { Violation } from './invariants.js';
import { acquire, type HeldLock, INT_LOCK } from './lock.js';
import { plan } from './plan.js';
import { type ChaosReport, type FaultResult, failuresByWindow, formatTable, summarize } from './report.js';
import { Workload } from './workload.js';

interface Flags {
  seed: number;
  faults: number;
  kinds: string[];
  out: string;
  store: string;
}

const count = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
};

function flags(argv: string[]): Flags {
  const program = new Command('npm run chaos --')
    .description(
      'Nemesis suite: a shoal up cluster under a steady workload and a seeded, shuffled series of faults, ' +
        'with the invariants checked after each. Needs root and a build (npm run build).',
    )
    .option('--seed <n>', 'seed of the fault order and choices (printed for replay)', count)
    .option('--faults <n>', 'number of faults to inject', count, 50)
    .option(
      '--kinds <list>',
      `comma-separated fault kinds (default all): ${FAULTS.map((f) => f.kind).join(', ')}`,
    )
    .option('--out <file>', 'JSON report path', 'chaos-report.json')
    .option('--store <dir>', "the suite's machine store", join(tmpdir(), 'shoal-chaos'))
    .addHelpText(
      'after',
      '\nExit status: 0 when every fault was injected with no violation, 1 otherwise, 2 when it could not run.',
    )
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .parse(argv, { from: 'user' });
  const o = program.opts<{ seed?: number; faults: number; kinds?: string; out: string; store: string }>();
  return {
    seed: o.seed ?? Math.floor(Math.random() * 1_000_000),
    faults: o.faults,
    kinds: o.kinds
      ? o.kinds
          .split(',')
          .map((k) => k.trim())
          .filter(Boolean)
      : [],
    out: resolve(o.out),
    store: resolve(o.store),
  };
}

const t0 = Date.now();
function say(line: string): void {
  process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(5)}s] ${line}\n`);
}

async function pullBusybox(cluster: ChaosCluster): Promise<void> {
  await Promise.all(
    cluster.hosts.map(async (h) => {
      const a = await cluster.call(
        cluster.engine(h.name),
        'POST',
        '/images/create?fromImage=busybox&tag=latest',
        undefined,
        120_000,
      );
      if (a.status !== 200 || a.body.includes('"error"'))
        throw new Error(`pull of busybox on ${h.name}: ${a.status} ${a.body.slice(-300)}`);
    }),
  );
}

async function main(): Promise<number> {
  const f = flags(process.argv.slice(2));
  if (process.getuid?.() !== 0) {
    process.stderr.write('npm run chaos needs root (it makes namespaces, bridges and links)\n');
    return 2;
  }
  if (!existsSync(CLI)) {
    process.stderr.write(`${CLI} is missing: run npm run build first\n`);
    return 2;
  }
  let faults: ReturnType<typeof plan>;
  try {
    faults = plan(selectFaults(f.kinds), f.faults, f.seed);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  say(
    `seed ${f.seed}; replay with: npm run chaos -- --seed ${f.seed} --faults ${f.faults}${f.kinds.length ? ` --kinds ${f.kinds.join(',')}` : ''}`,
  );
  say(`plan: ${faults.map((x) => x.kind).join(' ')}`);

  let lock: HeldLock | undefined;
  let workload: Workload | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await workload?.stop().catch(() => undefined);
      if (await loadUpState(f.store).catch(() => undefined)) {
        say('removing the cluster (shoal down)');
        const down = await shoal(f.store, ['down']);
        if (down.code !== 0) say(`shoal down: ${down.stderr.trim()}`);
      }
      await rm(f.store, { recursive: true, force: true });
      await lock?.release();
    })());
  const onSignal = (sig: NodeJS.Signals) => {
    say(`${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    lock = await acquire(INT_LOCK, say);
    say(`holding ${INT_LOCK}`);
    if (await loadUpState(f.store)) {
      say(`removing the cluster a previous run left in ${f.store}`);
      await shoal(f.store, ['down']);
    }
    say(`shoal up --prefix ${PREFIX} --subnet ${SUBNET}`);
    const up = await shoal(f.store, ['up', '--prefix', PREFIX, '--subnet', SUBNET], (l) => say(`  ${l}`));
    if (up.code !== 0) throw new Error(`shoal up failed: ${up.stderr.trim()}`);
    const cluster = await ChaosCluster.open(f.store);
    await pullBusybox(cluster);
    workload = new Workload(cluster, seededRng(f.seed ^ 0xbeef));
    const base = await waitRecovered(cluster, workload, DEFAULT_TIMINGS.recoveryBudgetMs);
    if (base.at === null)
      throw new Error(`the new cluster breaks the invariants: ${JSON.stringify(base.violations)}`);
    workload.start();
    await sleep(10_000);
    const warm = await waitRecovered(cluster, workload, DEFAULT_TIMINGS.recoveryBudgetMs);
    const otherViolations: Violation[] = [...warm.violations];
    const startedAt = new Date().toISOString();
    const started = Date.now();
    const { results, dumps } = await runCampaign(cluster, workload, faults, {
      seed: f.seed,
      timings: DEFAULT_TIMINGS,
      say,
    });
    await workload.stop();
    const final = await waitRecovered(cluster, workload, 60_000);
    otherViolations.push(...final.violations);

    // Failed requests outside every fault's window: each is a violation of the fault before it.
    const windows = results.map(
      (r) =>
        [r.startedAt, r.recoveredAt ?? r.healedAt + DEFAULT_TIMINGS.recoveryBudgetMs] as [number, number],
    );
    const failures = failuresByWindow(workload.ops, windows);
    for (const op of failures.outside) {
      const v: Violation = {
        invariant: 'no-5xx',
        detail:
          `${op.op} ${op.name ?? ''} via ${op.via} → ${op.status || op.error}${op.missing ? ' (missing)' : ''} ${op.message ?? ''}`.trim(),
      };
      const before = [...results].reverse().find((r: FaultResult) => r.startedAt <= op.start);
      if (before) before.violations.push(v);
      else otherViolations.push(v);
    }
    const injected = results.filter((r) => !r.error);
    const byOp: Record<string, Record<string, number>> = {};
    for (const o of workload.ops) {
      const k = String(o.status || 'none');
      byOp[o.op] ??= {};
      (byOp[o.op] as Record<string, number>)[k] = ((byOp[o.op] as Record<string, number>)[k] ?? 0) + 1;
    }
    const report: ChaosReport = {
      seed: f.seed,
      startedAt,
      finishedAt: new Date().toISOString(),
      durationS: Math.round((Date.now() - started) / 1000),
      cluster: { prefix: PREFIX, subnet: SUBNET, hosts: cluster.hosts.map((h) => h.name) },
      plan: faults.map((x) => x.kind),
      faults: results,
      byKind: summarize(results),
      totals: {
        faults: injected.length,
        kinds: new Set(injected.map((r) => r.kind)).size,
        violations: results.reduce((n, r) => n + r.violations.length, 0) + otherViolations.length,
        notInjected: results.length - injected.length + (faults.length - results.length),
      },
      workload: {
        requests: workload.ops.length,
        byOp,
        created: workload.ops.filter((o) => o.op === 'create' && o.status === 201).length,
        failedInsideWindows: failures.inside,
        failedOutsideWindows: failures.outside,
      },
      otherViolations,
      dumps,
    };
    await writeFile(f.out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\n${formatTable(report)}`);
    process.stdout.write(
      `\n${report.totals.faults} faults of ${report.totals.kinds} kinds in ${report.durationS} s, ` +
        `${report.totals.violations} violations, ${report.totals.notInjected} not injected; ` +
        `workload: ${report.workload.requests} requests, ${report.workload.created} containers created, ` +
        `${report.workload.failedInsideWindows} failed inside fault windows, ${failures.outside.length} outside.\n` +
        `Report: ${f.out}\n`,
    );
    return report.totals.violations === 0 && report.totals.notInjected === 0 ? 0 : 1;
  } catch (err) {
    say(`failed: ${(err as Error).message}`);
    return 2;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(2);
  },
);
