/**
 * Failover at scale over simulated engines (`npm run bench:failover -- --sim-engines N`): a real local etcd (one
 * loopback member), N `SimulatedEngine`s (sim-engine/sim-fleet.ts) registered under its discovery path, and two
 * `shoal manage --replication` processes on loopback over them. Both managers sync every engine (the replica keeps
 * a warm view of the fleet); once both see every container, the primary is killed with SIGKILL (no resignation:
 * its leader lease must expire) and the benchmark times, from the kill:
 *   - until etcd's leader key names the survivor (elected);
 *   - until the first `POST /containers/create` through the survivor succeeds (served).
 * Each further round starts the killed manager again, waits until it is warm, and kills whichever is primary then.
 * At the end, the survivor's view must hold every created name once.
 *
 *   npm run bench:failover -- --sim-engines 1000 [--containers 30] [--rounds 3] [--ttl 3s] [--threads 2]
 *       [--log-dir DIR]   keep the managers' logs there
 *
 * Everything it starts (etcd, the fleet, both managers, the temp dir) is stopped in `finally`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Etcd3 } from 'etcd3';
import { Agent, request } from 'undici';
import { DEFAULT_KV_PATH, LEADER_PATH } from '../src/discovery/etcd-client.js';
import { type LocalEtcd, startLocalEtcd } from '../src/kv/index.js';
import { freePort } from '../src/util/free-port.js';
import { shoalNodeFlags } from '../src/util/node-flags.js';
import { type SimFleet, startFleet } from './sim-engine/sim-fleet.js';

/** Options of a simulated failover run. */
export interface SimFailoverOptions {
  readonly engines: number;
  readonly containers: number;
  readonly rounds: number;
  /** `--replication-ttl` of both managers, e.g. `3s`. */
  readonly ttl: string;
  readonly threads: number;
  /** Built CLI entry. */
  readonly cli: string;
  /** Where the managers' logs go (default: the temp dir, removed at the end). */
  readonly logDir?: string | undefined;
  /** Give up waiting for a manager to see every container after this long. */
  readonly warmTimeoutMs: number;
}

const PREFIX = 'shfo';

/** One manager process of the pair. */
interface Manager {
  readonly name: string;
  readonly port: number;
  proc: ChildProcess;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)] ?? 0) : 0;
}

/** Runs the simulated failover benchmark and prints its rounds and medians. */
export async function simFailover(o: SimFailoverOptions): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'shs-fo-'));
  const agent = new Agent({ connections: 4, keepAliveTimeout: 10_000 });
  const managers: Manager[] = [];
  let etcd: LocalEtcd | undefined;
  let fleet: SimFleet | undefined;
  let kv: Etcd3 | undefined;
  // interrupted (Ctrl-C, timeout): take the managers and etcd down too; the fleet's workers end with their IPC channel
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const m of managers) m.proc.kill('SIGKILL');
      void (etcd?.remove() ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }
  try {
    const loadBefore = loadavg()[0]!.toFixed(1);
    etcd = await startLocalEtcd(dir, PREFIX);
    const t0 = performance.now();
    fleet = await startFleet(o.engines, o.containers, o.threads);
    kv = new Etcd3({ hosts: etcd.endpoints.map((e) => `http://${e}`) });
    const addrs = fleet.addrs;
    for (let i = 0; i < addrs.length; i += 200) {
      await Promise.all(
        addrs.slice(i, i + 200).map((a) => kv!.put(`${PREFIX}/${DEFAULT_KV_PATH}/${a}`).value(a).exec()),
      );
    }
    console.log(
      `${o.engines} simulated engines × ${o.containers} containers up and registered in etcd in ` +
        `${Math.round(performance.now() - t0)} ms (load ${loadBefore})`,
    );
    const discovery = `etcd://${etcd.endpoints.join(',')}/${PREFIX}`;

    const start = (m: { name: string; port: number }): ChildProcess => {
      const argv = [
        ...shoalNodeFlags(process.cwd()),
        o.cli,
        'manage',
        '-H',
        `tcp://127.0.0.1:${m.port}`,
        '--advertise',
        `127.0.0.1:${m.port}`,
        '--replication',
        '--replication-ttl',
        o.ttl,
        '--heartbeat',
        '5s',
        discovery,
      ];
      const proc = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
      const log = createWriteStream(join(o.logDir ?? dir, `manager-${m.name}.log`), { flags: 'a' });
      proc.stdout?.pipe(log);
      proc.stderr?.pipe(log);
      return proc;
    };
    for (const name of ['a', 'b']) {
      const port = await freePort();
      managers.push({ name, port, proc: start({ name, port }) });
    }

    const want = o.engines * o.containers;
    const get = async (m: Manager, path: string): Promise<{ status: number; text: string }> => {
      const r = await request(`http://127.0.0.1:${m.port}${path}`, {
        dispatcher: agent,
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
      return { status: r.statusCode, text: await r.body.text() };
    };
    const view = async (m: Manager): Promise<{ containers: number; role: string }> => {
      try {
        const r = await get(m, '/info');
        if (r.status !== 200) return { containers: -1, role: 'down' };
        const info = JSON.parse(r.text) as { Containers?: number; SystemStatus?: [string, string][] };
        const role = info.SystemStatus?.find(([k]) => k === 'Role')?.[1] ?? 'unknown';
        return { containers: info.Containers ?? -1, role };
      } catch {
        return { containers: -1, role: 'down' };
      }
    };
    /** Waits until `m` sees every container; returns the time it took from `since`. */
    const warm = async (m: Manager, since: number): Promise<number> => {
      for (;;) {
        if (m.proc.exitCode !== null) throw new Error(`manager ${m.name} exited ${m.proc.exitCode}`);
        const v = await view(m);
        if (v.containers >= want) return performance.now() - since;
        if (performance.now() - since > o.warmTimeoutMs)
          throw new Error(`manager ${m.name} sees ${v.containers} of ${want} containers`);
        await sleep(500);
      }
    };
    const leaderKey = `${PREFIX}/${LEADER_PATH}`;
    const leader = async (): Promise<string> => (await kv!.get(leaderKey).string()) ?? '';

    const started = performance.now();
    const warmA = await warm(managers[0]!, started);
    const warmB = await warm(managers[1]!, started);
    console.log(
      `both managers see ${want} containers: a after ${(warmA / 1000).toFixed(1)} s, b after ${(warmB / 1000).toFixed(1)} s`,
    );

    const elected: number[] = [];
    const served: number[] = [];
    const created: string[] = [];
    let attempts = 0;
    for (let round = 0; round < o.rounds; round++) {
      const now = await leader();
      const primary = managers.find((m) => now === `127.0.0.1:${m.port}`);
      if (!primary) throw new Error(`no manager holds the leader key (${now || 'empty'})`);
      const survivor = managers.find((m) => m !== primary)!;
      const killedAt = performance.now();
      primary.proc.kill('SIGKILL');
      let tElected = 0;
      const watchLeader = (async () => {
        while (performance.now() - killedAt < 120_000) {
          if ((await leader()) === `127.0.0.1:${survivor.port}`) {
            tElected = performance.now() - killedAt;
            return;
          }
          await sleep(50);
        }
      })();
      let tServed = 0;
      let lastError = '';
      for (let k = 0; performance.now() - killedAt < 120_000; k++) {
        attempts++;
        const name = `fo-${round}-${k}`;
        try {
          const r = await request(`http://127.0.0.1:${survivor.port}/containers/create?name=${name}`, {
            method: 'POST',
            dispatcher: agent,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ Image: 'busybox', Cmd: ['true'] }),
            headersTimeout: 10_000,
            bodyTimeout: 10_000,
          });
          const text = await r.body.text();
          if (r.statusCode === 201) {
            tServed = performance.now() - killedAt;
            created.push(name);
            break;
          }
          lastError = `${r.statusCode} ${text.trim()}`;
        } catch (err) {
          lastError = (err as Error).message;
        }
        await sleep(50);
      }
      await watchLeader;
      if (!tServed) throw new Error(`no create succeeded through ${survivor.name}: ${lastError}`);
      elected.push(tElected);
      served.push(tServed);
      console.log(
        `round ${round + 1}: ${primary.name} killed; ${survivor.name} elected after ${(tElected / 1000).toFixed(2)} s, ` +
          `first create ok after ${(tServed / 1000).toFixed(2)} s (last refusal: ${lastError || 'none'})`,
      );
      if (round + 1 < o.rounds) {
        const proc = primary.proc;
        if (proc.exitCode === null && proc.signalCode === null)
          await new Promise((r) => proc.once('exit', r));
        primary.proc = start(primary);
        const back = performance.now();
        const t = await warm(primary, back);
        console.log(`  ${primary.name} restarted, warm again after ${(t / 1000).toFixed(1)} s`);
      }
    }

    const last = managers.find((m) => m.proc.exitCode === null && m.proc.signalCode === null)!;
    const ps = await get(
      last,
      `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ name: ['fo-'] }))}`,
    );
    // the manager lists names as /<node>/<name>
    const names = (JSON.parse(ps.text) as { Names: string[] }[]).map(
      (c) => c.Names[0]?.split('/').pop() ?? '',
    );
    const dupes = names.length - new Set(names).size;
    const missing = created.filter((n) => !names.includes(n)).length;
    console.log(
      `median over ${o.rounds} (replication TTL ${o.ttl}): elected ${(median(elected) / 1000).toFixed(2)} s, ` +
        `first successful create ${(median(served) / 1000).toFixed(2)} s, worst ${(Math.max(...served) / 1000).toFixed(2)} s; ` +
        `${attempts} create attempts, ${created.length} created, ${dupes} duplicated, ${missing} missing; ` +
        `load ${loadBefore}→${loadavg()[0]!.toFixed(1)}`,
    );
    if (dupes > 0 || missing > 0) process.exitCode = 1;
  } finally {
    for (const m of managers) if (m.proc.exitCode === null) m.proc.kill('SIGKILL');
    await agent.close();
    kv?.close();
    await fleet?.stop();
    await etcd?.remove();
    await rm(dir, { recursive: true, force: true });
  }
}
