/**
 * The invariants checked after each fault heals, on one snapshot taken while the workload is held:
 * - one primary: exactly one manager answers `Role: primary` and every other names it as `Primary`;
 * - exactly once: every container the workload got a 201 for (and no 204 remove) exists on exactly one engine,
 *   none answered 204 exists, none with an unknown outcome exists twice, no workload container is unaccounted for;
 * - running: a container with a reschedule policy that should run is running; none that should be stopped runs;
 * - ps = union: `GET /containers/json?all=1` through the manager lists exactly the engines' own containers;
 * - whole: every engine answers, the primary sees every node healthy, every KV member answers and one leads.
 */
import type { KvMemberHealth } from '../../src/kv/index.js';
import type { ManagerView } from '../../src/up/index.js';
import type { ChaosCluster } from './cluster.js';
import { type Expected, WORKLOAD_LABEL } from './workload.js';

/** A container as an engine's (or the manager's) list shows it. */
export interface Listed {
  readonly Id: string;
  readonly Names: string[];
  readonly State: string;
  readonly Labels?: Record<string, string> | null;
}

/** The cluster at one moment. */
export interface Snapshot {
  readonly at: number;
  /** Each engine host's own list, or why it could not be read. */
  readonly engines: Record<string, Listed[] | string>;
  /** The list through the primary (or the first manager when none leads), or why it could not be read. */
  readonly manager: { readonly via: string; readonly list: Listed[] | string };
  readonly views: Record<string, ManagerView | null>;
  readonly kv: readonly Pick<KvMemberHealth, 'name' | 'reachable' | 'leader'>[];
}

/** One broken invariant. */
export interface Violation {
  readonly invariant: 'one-primary' | 'exactly-once' | 'running' | 'ps-union' | 'whole' | 'fault' | 'no-5xx';
  readonly detail: string;
}

async function list(cluster: ChaosCluster, to: { ip: string; port: number }): Promise<Listed[] | string> {
  try {
    return await cluster.json<Listed[]>(to, 'GET', '/containers/json?all=1', undefined, 5000);
  } catch (err) {
    return (err as Error).message;
  }
}

/** Takes a {@link Snapshot} (hold the workload meanwhile). */
export async function snapshot(cluster: ChaosCluster): Promise<Snapshot> {
  const at = Date.now();
  const views: Record<string, ManagerView | null> = {};
  await Promise.all(
    cluster.managers.map(async (m) => {
      views[m.name] = (await cluster.view(m.name)) ?? null;
    }),
  );
  const via =
    Object.entries(views).find(([, v]) => v?.role === 'primary')?.[0] ?? cluster.managers[0]?.name ?? '';
  const engines: Record<string, Listed[] | string> = {};
  const [managerList] = await Promise.all([
    list(cluster, cluster.manager(via)),
    ...cluster.hosts.map(async (h) => {
      engines[h.name] = await list(cluster, cluster.engine(h.name));
    }),
  ]);
  const kv = (await cluster.kv().health(2000)).map((m) => ({
    name: m.name,
    reachable: m.reachable,
    leader: m.leader,
  }));
  return { at, engines, manager: { via, list: managerList ?? 'no answer' }, views, kv };
}

const nameOf = (c: Listed): string => (c.Names[0] ?? '').split('/').pop() ?? '';

/** Every workload container name on the engines, with the hosts and states of its copies. */
export function copies(s: Snapshot): Map<string, { host: string; state: string; id: string }[]> {
  const out = new Map<string, { host: string; state: string; id: string }[]>();
  for (const [host, l] of Object.entries(s.engines)) {
    if (typeof l === 'string') continue;
    for (const c of l) {
      if (!c.Labels?.[WORKLOAD_LABEL]) continue;
      const name = nameOf(c);
      out.set(name, [...(out.get(name) ?? []), { host, state: c.State, id: c.Id }]);
    }
  }
  return out;
}

/** Checks every invariant of the module comment on `s` against the workload's ledger. */
export function check(
  cluster: Pick<ChaosCluster, 'host' | 'hosts'>,
  s: Snapshot,
  ledger: ReadonlyMap<string, Expected>,
): Violation[] {
  const out: Violation[] = [];
  const v = (invariant: Violation['invariant'], detail: string) => out.push({ invariant, detail });

  // one primary
  const primaries = Object.entries(s.views).filter(([, x]) => x?.role === 'primary');
  if (primaries.length !== 1) {
    v(
      'one-primary',
      `${primaries.length} managers answer as primary (${Object.entries(s.views)
        .map(([m, x]) => `${m}: ${x?.role ?? 'no answer'}`)
        .join(', ')})`,
    );
  } else {
    const [pName, pView] = primaries[0] as [string, ManagerView];
    const addr = `${cluster.host(pName).ip}:3376`;
    for (const [m, x] of Object.entries(s.views)) {
      if (m === pName) continue;
      if (x?.role !== 'replica' || x.primary !== addr)
        v(
          'one-primary',
          `${m} answers ${x?.role ?? 'nothing'} naming ${x?.primary ?? 'no primary'}, not ${addr}`,
        );
    }
    // whole: the primary sees every node healthy
    if (pView.nodes !== cluster.hosts.length || pView.healthy !== cluster.hosts.length)
      v('whole', `the primary sees ${pView.healthy}/${pView.nodes} healthy nodes of ${cluster.hosts.length}`);
  }

  // whole: engines and KV
  const down = Object.entries(s.engines).filter(([, l]) => typeof l === 'string');
  for (const [h, why] of down) v('whole', `engine ${h} cannot be listed: ${why}`);
  const kvUp = s.kv.filter((m) => m.reachable);
  if (kvUp.length !== s.kv.length || kvUp.filter((m) => m.leader).length !== 1)
    v(
      'whole',
      `KV: ${kvUp.length}/${s.kv.length} members answer, ${kvUp.filter((m) => m.leader).length} leader(s)`,
    );
  if (down.length) return out; // the container invariants need every engine's list

  // exactly once, running
  const all = copies(s);
  for (const e of ledger.values()) {
    const c = all.get(e.name) ?? [];
    const where = c.map((x) => `${x.host}:${x.state}`).join(', ') || 'nowhere';
    if (e.exists === 'yes' && c.length !== 1)
      v('exactly-once', `${e.name} (created, 201) has ${c.length} copies: ${where}`);
    if (e.exists === 'no' && c.length !== 0)
      v('exactly-once', `${e.name} (removed, 204) still exists: ${where}`);
    if (e.exists === 'maybe' && c.length > 1)
      v('exactly-once', `${e.name} (outcome unknown) has ${c.length} copies: ${where}`);
    if (c.length !== 1 || e.exists === 'no') continue;
    const state = c[0]?.state;
    if (e.policy && e.run === 'running' && state !== 'running')
      v('running', `${e.name} (reschedule policy, started) is ${state} on ${c[0]?.host}`);
    if (e.run === 'stopped' && state === 'running')
      v('running', `${e.name} (stopped) is running on ${c[0]?.host}`);
  }
  for (const [name, c] of all) {
    if (!ledger.has(name))
      v('exactly-once', `${name} exists but the workload never created it (${c.length} copies)`);
  }

  // ps through the manager = union of the engines' lists
  if (typeof s.manager.list === 'string') {
    v('ps-union', `the container list through ${s.manager.via} failed: ${s.manager.list}`);
  } else {
    const union = new Set(
      Object.values(s.engines).flatMap((l) => (typeof l === 'string' ? [] : l.map((c) => c.Id))),
    );
    const seen = new Set(s.manager.list.map((c) => c.Id));
    const missing = [...union].filter((id) => !seen.has(id));
    const extra = [...seen].filter((id) => !union.has(id));
    if (missing.length || extra.length)
      v(
        'ps-union',
        `ps -a through ${s.manager.via}: ${missing.length} missing (${missing.map((i) => i.slice(0, 12)).join(' ')}), ` +
          `${extra.length} extra (${extra.map((i) => i.slice(0, 12)).join(' ')})`,
      );
  }
  return out;
}

/**
 * Once a snapshot passed every check, settles what the workload could not know: a container whose create or
 * remove got no answer exists or not, and one whose start or stop got no answer runs or not.
 */
export function settleLedger(s: Snapshot, ledger: ReadonlyMap<string, Expected>): void {
  const all = copies(s);
  for (const e of ledger.values()) {
    const c = all.get(e.name) ?? [];
    if (e.exists === 'maybe') e.exists = c.length ? 'yes' : 'no';
    if (e.exists === 'yes' && e.run === 'unknown' && c[0])
      e.run = c[0].state === 'running' ? 'running' : 'stopped';
  }
}

/**
 * After a violation has been recorded, takes what the engines hold as the new truth (a container that came back
 * is expected from now on; one that vanished is not), so later faults are judged on their own.
 */
export function adoptLedger(s: Snapshot, ledger: ReadonlyMap<string, Expected>): void {
  const all = copies(s);
  for (const e of ledger.values()) {
    const c = all.get(e.name) ?? [];
    e.exists = c.length ? 'yes' : 'no';
    if (c[0]) e.run = c[0].state === 'running' ? 'running' : 'stopped';
  }
}
