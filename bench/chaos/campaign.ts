/**
 * The fault campaign on a booted cluster: a plan of faults in seeded shuffled order; for each, inject (and hold),
 * heal, then poll the invariants (on snapshots taken while the workload is held) until they all hold or the
 * recovery budget runs out, which is a violation with the state dumped. A quiet spell of workload follows before
 * the next fault. The workload runs throughout.
 */
import { seededRng } from '../../src/util/rng.js';
import type { ChaosCluster } from './cluster.js';
import { type Fault, sleep } from './faults/index.js';
import { adoptLedger, check, type Snapshot, settleLedger, snapshot, type Violation } from './invariants.js';
import type { Dump, FaultResult } from './report.js';
import { type OpRecord, WORKLOAD_PREFIX, type Workload } from './workload.js';

/** Timings of the campaign. */
export interface CampaignTimings {
  /** How long the invariants may take to hold again after a heal. */
  readonly recoveryBudgetMs: number;
  /** Workload alone between two faults. */
  readonly quietMs: number;
}

export const DEFAULT_TIMINGS: CampaignTimings = { recoveryBudgetMs: 120_000, quietMs: 3000 };

/** What {@link waitRecovered} found. */
export interface Recovery {
  readonly at: number | null;
  readonly violations: Violation[];
  readonly last: Snapshot | undefined;
}

/**
 * Polls the invariants every second until a snapshot passes them all (then settles the ledger's unknowns from it)
 * or `budgetMs` passes.
 */
export async function waitRecovered(
  cluster: ChaosCluster,
  workload: Workload,
  budgetMs: number,
): Promise<Recovery> {
  const deadline = Date.now() + budgetMs;
  let last: Snapshot | undefined;
  let violations: Violation[] = [];
  for (;;) {
    const ok = await workload.quiesce(async () => {
      last = await snapshot(cluster);
      violations = check(cluster, last, workload.ledger);
      if (violations.length === 0) settleLedger(last, workload.ledger);
      return violations.length === 0;
    });
    if (ok) return { at: last?.at ?? Date.now(), violations: [], last };
    if (Date.now() >= deadline) return { at: null, violations, last };
    await sleep(1000);
  }
}

/** Everything kept about the cluster when a violation is found. */
export async function dumpState(
  cluster: ChaosCluster,
  workload: Workload,
  last: Snapshot | undefined,
  violations: readonly Violation[] = [],
) {
  const status = await cluster.shoal(['status', '--json']);
  const logs: Record<string, string> = {};
  for (const m of cluster.managers) logs[m.name] = await cluster.swarmLog(m.name, 'shoal-agent-master', 300);
  // every request the workload made for a container a violation names, from its create on
  const named = new Set(
    violations.flatMap((v) => v.detail.match(new RegExp(`${WORKLOAD_PREFIX}\\d+-\\d+`, 'g')) ?? []),
  );
  const history: Record<string, OpRecord[]> = {};
  for (const name of named) history[name] = workload.ops.filter((op) => op.name === name);
  // every line of each manager's whole log that names one of them, by name or by the ID a create answered
  const needles = [...named, ...Object.values(history).flatMap((ops) => ops.flatMap((op) => op.id ?? []))];
  const mentions: Record<string, string[]> = {};
  if (needles.length > 0) {
    for (const m of cluster.managers) {
      const all = await cluster.swarmLog(m.name, 'shoal-agent-master', 'all');
      mentions[m.name] = all.split('\n').filter((line) => needles.some((n) => line.includes(n)));
    }
  }
  return {
    snapshot: last,
    status: status.code === 0 ? JSON.parse(status.stdout) : status.stderr,
    managerLogs: logs,
    history,
    mentions,
    recentRequests: workload.ops.slice(-40),
    ledger: [...workload.ledger.values()].filter((e) => e.exists !== 'no'),
  };
}

/** Runs the plan; returns one result per fault and the dumps of violations. */
export async function runCampaign(
  cluster: ChaosCluster,
  workload: Workload,
  faults: readonly Fault[],
  opts: { seed: number; timings: CampaignTimings; say: (line: string) => void },
): Promise<{ results: FaultResult[]; dumps: Dump[] }> {
  const { timings, say } = opts;
  const rng = seededRng(opts.seed ^ 0x5eed);
  const results: FaultResult[] = [];
  const dumps: Dump[] = [];
  for (const [i, fault] of faults.entries()) {
    const r: FaultResult = {
      index: i + 1,
      kind: fault.kind,
      target: '',
      startedAt: Date.now(),
      injectedAt: 0,
      healedAt: 0,
      recoveredAt: null,
      violations: [],
      notes: [],
    };
    results.push(r);
    const head = `#${r.index}/${faults.length} ${fault.kind}`;
    try {
      const injected = await fault.inject({ cluster, rng, say });
      r.target = injected.target;
      r.injectedAt = Date.now();
      say(`${head} on ${r.target}: injected, healing`);
      try {
        await injected.heal();
      } catch (err) {
        r.violations.push({ invariant: 'fault', detail: `heal failed: ${(err as Error).message}` });
      }
      r.healedAt = Date.now();
      r.notes.push(...injected.notes);
      r.violations.push(...injected.violations.map((detail) => ({ invariant: 'fault' as const, detail })));
    } catch (err) {
      r.error = (err as Error).message;
      r.injectedAt = r.healedAt = Date.now();
      say(`${head}: not injected: ${r.error}`);
    }
    const rec = await waitRecovered(cluster, workload, timings.recoveryBudgetMs);
    r.recoveredAt = rec.at;
    r.violations.push(...rec.violations);
    const took =
      rec.at === null ? 'NOT recovered' : `recovered in ${((rec.at - r.healedAt) / 1000).toFixed(1)} s`;
    say(
      `${head} on ${r.target || '-'}: ${took}; ${r.violations.length} violation(s)${r.notes.length ? `; ${r.notes.join('; ')}` : ''}`,
    );
    for (const v of r.violations) say(`    VIOLATION ${v.invariant}: ${v.detail}`);
    if (r.violations.length) {
      dumps.push({
        fault: r.index,
        kind: r.kind,
        violations: r.violations,
        state: await dumpState(cluster, workload, rec.last, r.violations),
      });
    }
    if (rec.at === null && !rec.violations.some((v) => v.invariant === 'whole')) {
      // The cluster is whole but holds other containers than the workload expects: recorded above; from now on
      // the engines' state is the expectation, so the next faults are judged on their own.
      await workload.quiesce(async () => adoptLedger(await snapshot(cluster), workload.ledger));
      say(`${head}: the engines' containers are taken as the expectation from now on`);
      const again = await waitRecovered(cluster, workload, timings.recoveryBudgetMs);
      if (again.at !== null) {
        await sleep(timings.quietMs);
        continue;
      }
    }
    if (rec.at === null) {
      say(`${head}: repairing with shoal up before going on`);
      await cluster.shoal([
        'up',
        '--prefix',
        cluster.state.spec.prefix,
        '--subnet',
        cluster.state.spec.subnet,
      ]);
      const again = await waitRecovered(cluster, workload, timings.recoveryBudgetMs);
      if (again.at === null) {
        say(`${head}: the cluster did not recover after a repair; stopping the campaign`);
        break;
      }
    }
    await sleep(timings.quietMs);
  }
  return { results, dumps };
}
