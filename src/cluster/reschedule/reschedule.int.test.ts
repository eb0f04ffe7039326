/**
 * Rescheduling on real engines: three netns hosts (prefix shr, subnet 10.246.0.0/24), a loopback etcd, one
 * `shoal join` agent per host and replicated `shoal manage` processes, driven with the stock docker CLI.
 * Cases: a dockerd killed hard (policy containers come back elsewhere under the same name and swarm ID, the others
 * stay), the node returning (one copy left, volumes kept), a moved container removed by its user while its old
 * node is down (the returning copy is removed, not adopted), the primary and its host killed together before a new
 * manager was ever started (the new primary moves containers it never saw), a container removed just before its
 * node dies (not brought back), and a frozen primary resuming past its lease while another manager moved its work
 * (no second replacement).
 */
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalEtcd, startLocalEtcd } from '../../kv/index.js';
import { bootTestHosts, runCommand, type TestHost, type TestHosts } from '../../testkit/hosts.js';
import { getFromManager, sampleValue, scrapeManager } from '../../testkit/metrics.js';
import {
  issueManagerCert,
  type ManagerCert,
  SHOAL_BIN as SHOAL,
  startProcess,
  type TestProcess,
} from '../../testkit/processes.js';
import { freePort } from '../../util/free-port.js';

const MAIN = join(import.meta.dirname, '../../../dist/cli/main.js');
const CLI = '/usr/local/bin/docker';
const PREFIX = 'shr';
const SWARM_ID = 'com.docker.swarm.id';

interface Proc extends TestProcess {
  readonly port: number;
}

let th: TestHosts;
let etcd: LocalEtcd;
let work = '';
let cert: ManagerCert;
let url = '';
const agents = new Map<string, Proc>();
const managers: Proc[] = [];

function start(name: string, args: string[], port = 0): Proc {
  const p = Object.assign(startProcess(name, [SHOAL, ...args]), { port });
  return p;
}

function agent(h: TestHost): void {
  agents.set(
    h.name,
    start(`agent-${h.name}`, ['join', '--advertise', `${h.ip}:2376`, '--heartbeat=1s', '--ttl=3s', url]),
  );
}

/** A replicated manager; `fast` = `up`'s engine refresh (2-4 s), else Swarm's defaults (30-60 s). */
async function manager(name: string, fast = true): Promise<Proc> {
  const port = await freePort();
  const p = start(
    name,
    [
      'manage',
      '--tlsverify',
      ...cert.args,
      '--replication',
      '--replication-ttl=3s',
      `--advertise=127.0.0.1:${port}`,
      ...(fast ? ['--engine-refresh-min-interval=2s', '--engine-refresh-max-interval=4s'] : []),
      '--heartbeat=1s',
      '--reschedule-grace=2s',
      '-H',
      `tcp://127.0.0.1:${port}`,
      url,
    ],
    port,
  );
  managers.push(p);
  return p;
}

function env(m: Proc): Record<string, string> {
  return { DOCKER_HOST: `tcp://127.0.0.1:${m.port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: th.certDir };
}

async function docker(m: Proc, args: string[]): Promise<string> {
  const r = await runCommand([CLI, ...args], { env: env(m) });
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  logs: Proc[],
  ms = 60_000,
): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await check().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(
    `timed out waiting for ${what}\n${logs.map((p) => `--- ${p.name}\n${p.log.slice(-4000)}`).join('\n')}`,
  );
}

/** Copies of a swarm ID on each host, read from the engines directly (`name state` lines). */
async function copies(swarmId: string, hosts = th.hosts): Promise<{ host: string; state: string }[]> {
  const out: { host: string; state: string }[] = [];
  for (const h of hosts) {
    const r = await runCommand(
      [CLI, 'ps', '-a', '--filter', `label=${SWARM_ID}=${swarmId}`, '--format', '{{.State}}'],
      { env: h.env },
    );
    if (r.code !== 0) continue;
    for (const state of r.stdout.split('\n').filter(Boolean)) out.push({ host: h.name, state });
  }
  return out;
}

async function primaryOf(candidates: Proc[]): Promise<Proc> {
  return waitFor(
    'a primary',
    async () => {
      for (const m of candidates) {
        if (m.child.exitCode !== null) continue;
        const out = await docker(m, ['info']).catch(() => '');
        if (out.includes('Role: primary')) return m;
      }
      return undefined;
    },
    candidates,
  );
}

async function healthyNodes(m: Proc, n: number): Promise<void> {
  await waitFor(
    `${n} healthy nodes`,
    async () => ((await docker(m, ['info'])).match(/Status: Healthy/g) ?? []).length === n,
    [m],
  );
}

/** Runs a container with the policy, softly placed on `host`; returns its swarm ID. */
async function runWithPolicy(m: Proc, name: string, host: string, extra: string[] = []): Promise<string> {
  await docker(m, [
    'run',
    '-d',
    '--name',
    name,
    '-e',
    'reschedule:on-node-failure',
    '-e',
    `constraint:node==~${host}`,
    ...extra,
    'busybox',
    'sleep',
    '1d',
  ]);
  const labels = JSON.parse(
    await docker(m, ['inspect', '--format', '{{json .Config.Labels}}', name]),
  ) as Record<string, string>;
  expect(labels['com.docker.swarm.reschedule-policies']).toBe('["on-node-failure"]');
  return labels[SWARM_ID]!;
}

async function recorded(swarmId: string): Promise<Record<string, unknown> | undefined> {
  const raw = new Etcd3({ hosts: etcd.endpoints.map((e) => `http://${e}`) });
  try {
    const v = await raw.get(`shr/shoal/reschedule/containers/${swarmId}`).string();
    return v ? (JSON.parse(v) as Record<string, unknown>) : undefined;
  } finally {
    raw.close();
  }
}

async function removedEntry(swarmId: string): Promise<string | undefined> {
  const raw = new Etcd3({ hosts: etcd.endpoints.map((e) => `http://${e}`) });
  try {
    return (await raw.get(`shr/shoal/reschedule/removed/${swarmId}`).string()) ?? undefined;
  } finally {
    raw.close();
  }
}

function host(name: string): TestHost {
  return th.hosts.find((h) => h.name === name)!;
}

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  work = await mkdtemp(join(tmpdir(), 'shoal-shr-'));
  etcd = await startLocalEtcd(work, 'shr');
  url = `etcd://${etcd.endpoints.join(',')}/shr`;
  th = await bootTestHosts({
    prefix: PREFIX,
    subnet: '10.246.0.0/24',
    hosts: [{ name: 'shr-1' }, { name: 'shr-2' }, { name: 'shr-3' }],
  });
  for (const h of th.hosts) await th.loadBusybox(h);
  cert = await issueManagerCert(th.certDir, work, 'shr-manager');
  for (const h of th.hosts) agent(h);
}, 240_000);

afterAll(async () => {
  for (const p of [...managers, ...agents.values()]) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGCONT');
    await p.stop('SIGKILL');
  }
  await th?.dispose();
  await etcd?.remove();
  if (work) await rm(work, { recursive: true, force: true });
}, 120_000);

describe('rescheduling on node failure', () => {
  let a: Proc;
  let polSid = '';

  it('a dockerd killed hard: the policy container runs again elsewhere, same name and swarm ID; others stay', async () => {
    a = await manager('manager-a');
    await primaryOf([a]);
    await healthyNodes(a, 3);
    const sid = await runWithPolicy(a, 'pol', 'shr-1', ['-v', 'shrdata:/data']);
    polSid = sid;
    await docker(a, [
      'run',
      '-d',
      '--name',
      'nopol',
      '-e',
      'constraint:node==shr-1',
      'busybox',
      'sleep',
      '1d',
    ]);
    expect((await copies(sid)).map((c) => c.host)).toEqual(['shr-1']);
    await waitFor('the record in etcd', async () => (await recorded(sid))?.running === true, [a]);

    await host('shr-1').killEngine();
    const moved = await waitFor('pol running on another node', async () => {
      const list = await copies(sid, [host('shr-2'), host('shr-3')]);
      return list.length === 1 && list[0]!.state === 'running' ? list[0] : undefined;
    }, [a]);
    expect(moved.host).not.toBe('shr-1');
    const inspected = JSON.parse(await docker(a, ['inspect', 'pol'])) as {
      Name: string;
      Config: { Labels: Record<string, string> };
      State: { Running: boolean };
    }[];
    expect(inspected[0]?.Config.Labels[SWARM_ID]).toBe(sid);
    expect(inspected[0]?.State.Running).toBe(true);
    expect(a.log).toMatch(
      new RegExp(`Rescheduled container [0-9a-f]{64} from shr-1 to ${moved.host} as [0-9a-f]{64}`),
    );
    // without a policy nothing moves (Swarm): no nopol runs on the live nodes
    for (const h of [host('shr-2'), host('shr-3')]) {
      const r = await runCommand([CLI, 'ps', '-a', '--filter', 'name=nopol', '-q'], { env: h.env });
      expect(r.stdout.trim()).toBe('');
    }
    expect((await recorded(sid))?.node).toMatchObject({ name: moved.host });
    // the record keeps why the new copy is where it is
    const newId = (await docker(a, ['inspect', '--format', '{{.Id}}', 'pol'])).trim();
    await waitFor('the placement in the record', async () => {
      const p = (await recorded(sid))?.placement as { node?: string; container?: string } | undefined;
      return p?.container === newId && p.node === moved.host;
    }, [a]);
    const metrics = await scrapeManager(a.port, th.certDir);
    expect(sampleValue(metrics, 'shoal_reschedules_total{trigger="node_failure",result="moved"}')).toBe(1);
    expect(sampleValue(metrics, 'shoal_reschedules_total{trigger="drain",result="moved"}')).toBe(0);
    expect(sampleValue(metrics, 'shoal_reschedule_duration_seconds_count{trigger="node_failure"}')).toBe(1);
  });

  it('the node comes back: its old copy is removed, its volume kept, exactly one copy remains', async () => {
    const sid = polSid;
    await host('shr-1').startEngine();
    await waitFor('one copy of pol', async () => {
      const list = await copies(sid);
      return list.length === 1 && list.every((c) => c.host !== 'shr-1') ? true : undefined;
    }, [a]);
    const vols = await runCommand([CLI, 'volume', 'ls', '-q'], { env: host('shr-1').env });
    expect(vols.stdout.split('\n')).toContain('shrdata');
    // the container without a policy is still there on its node
    const r = await runCommand([CLI, 'ps', '-a', '--filter', 'name=nopol', '-q'], { env: host('shr-1').env });
    expect(r.stdout.trim()).not.toBe('');
    await healthyNodes(a, 3);
    const metrics = await scrapeManager(a.port, th.certDir);
    expect(sampleValue(metrics, 'shoal_reschedule_duplicates_removed_total')).toBe(1);
  });

  it('a moved container removed while its old node is down: the node comes back and its copy is removed, not adopted', async () => {
    const sid = await runWithPolicy(a, 'pol3', 'shr-3');
    await waitFor('the record of pol3', async () => (await recorded(sid))?.running === true, [a]);
    await host('shr-3').killEngine();
    await waitFor('pol3 running elsewhere', async () => {
      const list = await copies(sid, [host('shr-1'), host('shr-2')]);
      return list.length === 1 && list[0]!.state === 'running' ? true : undefined;
    }, [a]);
    const left = (await recorded(sid))?.staleCopies as { node: { name: string } }[] | undefined;
    expect(left?.map((s) => s.node.name)).toEqual(['shr-3']);
    // the user removes the container through the manager while shr-3 still holds its old copy
    await docker(a, ['rm', '-f', 'pol3']);
    await waitFor('the record of pol3 gone', async () => (await recorded(sid)) === undefined, [a]);
    await host('shr-3').startEngine();
    await healthyNodes(a, 3);
    await waitFor('no copy of pol3 anywhere', async () => (await copies(sid)).length === 0, [a]);
    expect(a.log).toMatch(
      /Removed container [0-9a-f]{64} on shr-3: pol3 was removed while the node was down/,
    );
    expect((await docker(a, ['ps', '-a', '--filter', 'name=pol3', '-q'])).trim()).toBe('');
    // nothing is left to remember once the copy is gone
    await waitFor('the removal forgotten', async () => (await removedEntry(sid)) === undefined, [a]);
  });

  it('a container removed just before its node dies is not brought back elsewhere', async () => {
    const sid = await runWithPolicy(a, 'pol5', 'shr-3');
    await waitFor('the record of pol5', async () => (await recorded(sid))?.running === true, [a]);
    const id = (await docker(a, ['inspect', '--format', '{{.Id}}', 'pol5'])).trim();
    // An update makes the next round write the record again, so the removal and the node's failure both come while
    // the record is fresh (the exact order is forced in rescheduler.test.ts).
    const before = (await recorded(sid))?.updatedAt;
    await docker(a, ['update', '--cpu-shares', '512', 'pol5']);
    await waitFor('the record written again', async () => (await recorded(sid))?.updatedAt !== before, [a]);
    await docker(a, ['rm', '-f', 'pol5']);
    await host('shr-3').killEngine();
    await waitFor('the record of pol5 gone', async () => (await recorded(sid)) === undefined, [a]);
    // well past the grace period (2 s) and a few rounds: nothing was created again
    await new Promise((r) => setTimeout(r, 6000));
    expect(await copies(sid, [host('shr-1'), host('shr-2')])).toEqual([]);
    expect(a.log).not.toContain(`Rescheduled container ${id}`);
    await host('shr-3').startEngine();
    await healthyNodes(a, 3);
  });

  it('the primary and its host die together: a manager started afterwards moves what it never saw', async () => {
    const sid = await runWithPolicy(a, 'pol2', 'shr-2');
    await waitFor('the record of pol2', async () => (await recorded(sid))?.running === true, [a]);
    // The primary's host: its engine, its agent and the manager itself go at once.
    a.child.kill('SIGKILL');
    agents.get('shr-2')?.child.kill('SIGKILL');
    await host('shr-2').killEngine();
    const b = await manager('manager-b');
    await primaryOf([b]);
    const moved = await waitFor('pol2 running elsewhere', async () => {
      const list = await copies(sid, [host('shr-1'), host('shr-3')]);
      return list.length === 1 && list[0]!.state === 'running' ? list[0] : undefined;
    }, [b]);
    expect(['shr-1', 'shr-3']).toContain(moved.host);
    expect(b.log).toContain('Rescheduled container');
    // back again: one copy, on the new node
    await host('shr-2').startEngine();
    agent(host('shr-2'));
    await waitFor('one copy of pol2 after shr-2 returned', async () => {
      await new Promise((r) => setTimeout(r, 500));
      const list = await copies(sid);
      return list.length === 1 && list[0]!.host === moved.host ? true : undefined;
    }, [b]);
  });

  it('a frozen primary resuming past its lease never makes a second replacement', async () => {
    const b = await primaryOf(managers.filter((m) => m.child.exitCode === null));
    const c = await manager('manager-c');
    await healthyNodes(b, 3);
    await healthyNodes(c, 3);
    const sid = await runWithPolicy(b, 'pol3', 'shr-3');
    await waitFor('the record of pol3', async () => (await recorded(sid))?.running === true, [b]);
    const sid4 = await runWithPolicy(b, 'explained1', 'shr-1');
    await waitFor('the record of explained1', async () => (await recorded(sid4))?.placement !== undefined, [
      b,
    ]);
    const before = b.log.length;
    b.child.kill('SIGSTOP');
    await host('shr-3').killEngine();
    await primaryOf([c]);
    const moved = await waitFor('pol3 moved by the new primary', async () => {
      const list = await copies(sid, [host('shr-1'), host('shr-2')]);
      return list.length === 1 && list[0]!.state === 'running' ? list[0] : undefined;
    }, [c]);
    // explained1 stayed on shr-1: the new primary never placed it, and explains it from its record
    const explained = await waitFor('the new primary to explain explained1', async () => {
      const r = await getFromManager(c.port, th.certDir, '/shoal/v1/placements/explained1');
      return r.status === 200
        ? (JSON.parse(r.body) as { node: string; nodes: { verdict: string }[] })
        : undefined;
    }, [c]);
    expect(explained.node).toBe('shr-1');
    expect(explained.nodes.some((n) => n.verdict === 'chosen')).toBe(true);
    b.child.kill('SIGCONT');
    // give the resumed manager several rounds to act if it (wrongly) would
    await new Promise((r) => setTimeout(r, 6000));
    const list = await copies(sid, [host('shr-1'), host('shr-2')]);
    expect(list).toEqual([moved]);
    expect(b.log.slice(before)).not.toContain('Rescheduled container');
    await host('shr-3').startEngine();
  });

  it("with Swarm's default refresh intervals a killed dockerd is still noticed and its container moved", async () => {
    for (const m of managers) await m.stop('SIGKILL');
    const d = await manager('manager-d', false);
    await primaryOf([d]);
    await healthyNodes(d, 3);
    const sid = await runWithPolicy(d, 'pol4', 'shr-1');
    await waitFor('the record of pol4', async () => (await recorded(sid))?.running === true, [d]);
    const t0 = Date.now();
    await host('shr-1').killEngine();
    const moved = await waitFor(
      'pol4 running elsewhere',
      async () => {
        const list = await copies(sid, [host('shr-2'), host('shr-3')]);
        return list.length === 1 && list[0]!.state === 'running' ? list[0] : undefined;
      },
      [d],
      90_000,
    );
    console.log(
      `default refresh intervals: pol4 running on ${moved.host} ${Date.now() - t0} ms after the kill`,
    );
    await host('shr-1').startEngine();
  });
});
