/** The campaign's report: a JSON document and a table of faults by kind, violations and recovery times. */
import type { Violation } from './invariants.js';
import type { OpRecord } from './workload.js';

/** One injected fault and what followed. */
export interface FaultResult {
  readonly index: number;
  readonly kind: string;
  target: string;
  readonly startedAt: number;
  /** When the fault was in place and held (the heal begins). */
  injectedAt: number;
  /** When the healing action was done. */
  healedAt: number;
  /** When every invariant held again; null when they did not within the budget. */
  recoveredAt: number | null;
  readonly violations: Violation[];
  readonly notes: string[];
  /** The fault could not be injected (the cluster was not in the state it needs). */
  error?: string;
}

/** State kept for a violation. */
export interface Dump {
  readonly fault: number;
  readonly kind: string;
  readonly violations: Violation[];
  readonly state: unknown;
}

/** Per kind: faults, violations, recovery (heal done → invariants hold) p50 and max. */
export interface KindSummary {
  readonly faults: number;
  readonly violations: number;
  readonly recoveryP50Ms: number | null;
  readonly recoveryMaxMs: number | null;
}

/** The whole report. */
export interface ChaosReport {
  readonly seed: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationS: number;
  readonly cluster: { readonly prefix: string; readonly subnet: string; readonly hosts: readonly string[] };
  readonly plan: readonly string[];
  readonly faults: readonly FaultResult[];
  readonly byKind: Record<string, KindSummary>;
  readonly totals: {
    readonly faults: number;
    readonly kinds: number;
    readonly violations: number;
    readonly notInjected: number;
  };
  readonly workload: {
    readonly requests: number;
    readonly byOp: Record<string, Record<string, number>>;
    readonly created: number;
    readonly failedInsideWindows: number;
    readonly failedOutsideWindows: readonly OpRecord[];
  };
  /** Violations found outside any fault (the baseline and the final check). */
  readonly otherViolations: readonly Violation[];
  readonly dumps: readonly Dump[];
}

function percentile(xs: number[], p: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
}

/** Recovery time of a fault: heal done → invariants hold. */
export function recoveryMs(f: FaultResult): number | null {
  return f.recoveredAt === null ? null : Math.max(0, f.recoveredAt - f.healedAt);
}

/** Per-kind summary of the injected faults (not the ones that could not be injected). */
export function summarize(faults: readonly FaultResult[]): Record<string, KindSummary> {
  const out: Record<string, KindSummary> = {};
  const kinds = [...new Set(faults.map((f) => f.kind))].sort();
  for (const k of kinds) {
    const of = faults.filter((f) => f.kind === k && !f.error);
    const rec = of.map(recoveryMs).filter((x): x is number => x !== null);
    out[k] = {
      faults: of.length,
      violations: of.reduce((n, f) => n + f.violations.length, 0),
      recoveryP50Ms: percentile(rec, 50),
      recoveryMaxMs: rec.length ? Math.max(...rec) : null,
    };
  }
  return out;
}

const secs = (ms: number | null): string => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);

/** The report as a table (one row per kind, then the totals). */
export function formatTable(r: ChaosReport): string {
  const rows = [['KIND', 'FAULTS', 'VIOLATIONS', 'RECOVERY P50', 'RECOVERY MAX']];
  for (const [k, s] of Object.entries(r.byKind))
    rows.push([k, String(s.faults), String(s.violations), secs(s.recoveryP50Ms), secs(s.recoveryMaxMs)]);
  const all = r.faults.filter((f) => !f.error);
  const rec = all.map(recoveryMs).filter((x): x is number => x !== null);
  rows.push([
    `total (${r.totals.kinds} kinds)`,
    String(r.totals.faults),
    String(r.totals.violations),
    secs(percentile(rec, 50)),
    secs(rec.length ? Math.max(...rec) : null),
  ]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return `${rows
    .map((row) =>
      row
        .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

/**
 * Workload requests that failed (no answer, or a 5xx; or an inspect answering 404 for a container that exists)
 * split by whether they overlap a fault's window (from injection until recovery).
 */
export function failuresByWindow(
  ops: readonly OpRecord[],
  windows: readonly [number, number][],
): { inside: number; outside: OpRecord[] } {
  const failed = ops.filter((o) => o.status === 0 || o.status >= 500 || o.missing);
  const overlaps = (o: OpRecord) => windows.some(([a, b]) => o.start <= b && o.end >= a);
  const outside = failed.filter((o) => !overlaps(o));
  return { inside: failed.length - outside.length, outside };
}
