/**
 * Node availability on real engines: three netns hosts (prefix shy, subnet 10.247.0.0/24), a loopback etcd, one
 * `shoal join` agent per host and two replicated `shoal manage` processes. `docker node ls|inspect|update` with both
 * stock CLIs, `docker info`'s availability line, pause keeping new containers away, `shoal node drain` moving the
 * containers that have a policy and naming the others, and a drain that goes on after the primary died mid-way.
 */
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalEtcd, startLocalEtcd } from '../../kv/index.js';
import {
  bootTestHosts,
  type RunResult,
  runCommand,
  type TestHost,
  type TestHosts,
} from '../../testkit/hosts.js';
import { sampleValue, scrapeManager } from '../../testkit/metrics.js';
import {
  issueManagerCert,
  type ManagerCert,
  SHOAL_BIN as SHOAL,
  startProcess,
  type TestProcess,
} from '../../testkit/processes.js';
import { freePort } from '../../util/free-port.js';

const MAIN = join(import.meta.dirname, '../../../dist/cli/main.js');
const CLIS = ['/usr/bin/docker', '/usr/local/bin/docker'] as const;
const CLI = CLIS[1];
const SWARM_ID = 'com.docker.swarm.id';

interface Proc extends TestProcess {
  readonly port: number;
}

let th: TestHosts;
let etcd: LocalEtcd;
let work = '';
let cert: ManagerCert;
let url = '';
const procs: Proc[] = [];
const managers: Proc[] = [];

function start(name: string, args: string[], port = 0): Proc {
  const p = Object.assign(startProcess(name, [SHOAL, ...args]), { port });
  procs.push(p);
  return p;
}

async function manager(name: string): Promise<Proc> {
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
      '--engine-refresh-min-interval=2s',
      '--engine-refresh-max-interval=4s',
      '--heartbeat=1s',
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

function run(m: Proc, args: string[], cli: string = CLI): Promise<RunResult> {
  return runCommand([cli, ...args], { env: env(m) });
}

async function docker(m: Proc, args: string[], cli: string = CLI): Promise<string> {
  const r = await run(m, args, cli);
  if (r.code !== 0)
    throw new Error(`docker ${args.join(' ')} (${cli}) exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

function shoal(m: Proc, args: string[]): Promise<RunResult> {
  return runCommand([SHOAL, ...args], { env: env(m) });
}

async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  ms = 60_000,
): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await check().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(
    `timed out waiting for ${what}\n${managers.map((p) => `--- ${p.name}\n${p.log.slice(-4000)}`).join('\n')}`,
  );
}

async function primaryOf(candidates: Proc[]): Promise<Proc> {
  return waitFor('a primary', async () => {
    for (const m of candidates) {
      if (m.child.exitCode !== null || m.child.signalCode !== null) continue;
      const out = await docker(m, ['info']).catch(() => '');
      if (out.includes('Role: primary')) return m;
    }
    return undefined;
  });
}

/** Names of the containers on one engine, read from the engine itself. */
async function namesOn(h: TestHost, policyOnly = false): Promise<string[]> {
  const args = [CLI, 'ps', '-a', '--format', '{{.Names}}'];
  if (policyOnly) args.splice(3, 0, '--filter', 'label=com.docker.swarm.reschedule-policies');
  const r = await runCommand(args, { env: h.env });
  return r.stdout.split('\n').filter(Boolean).sort();
}

async function copiesOf(swarmId: string): Promise<{ host: string; state: string }[]> {
  const out: { host: string; state: string }[] = [];
  for (const h of th.hosts) {
    const r = await runCommand(
      [CLI, 'ps', '-a', '--filter', `label=${SWARM_ID}=${swarmId}`, '--format', '{{.State}}'],
      { env: h.env },
    );
    for (const state of r.stdout.split('\n').filter(Boolean)) out.push({ host: h.name, state });
  }
  return out;
}

async function runOn(m: Proc, name: string, host: string, policy: boolean): Promise<string> {
  const args = ['run', '-d', '--name', name, '-e', `constraint:node==~${host}`];
  if (policy) args.push('-e', 'reschedule:on-node-failure');
  await docker(m, [...args, 'busybox', 'sleep', '1d']);
  return (await docker(m, ['inspect', '--format', `{{index .Config.Labels "${SWARM_ID}"}}`, name])).trim();
}

const host = (name: string): TestHost => th.hosts.find((h) => h.name === name)!;

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  work = await mkdtemp(join(tmpdir(), 'shoal-shy-'));
  etcd = await startLocalEtcd(work, 'shy');
  url = `etcd://${etcd.endpoints.join(',')}/shy`;
  th = await bootTestHosts({
    prefix: 'shy',
    subnet: '10.247.0.0/24',
    hosts: [{ name: 'shy-1' }, { name: 'shy-2' }, { name: 'shy-3' }],
  });
  for (const h of th.hosts) await th.loadBusybox(h);
  cert = await issueManagerCert(th.certDir, work, 'shy-manager');
  for (const h of th.hosts) {
    start(`agent-${h.name}`, ['join', '--advertise', `${h.ip}:2376`, '--heartbeat=1s', '--ttl=3s', url]);
  }
}, 240_000);

afterAll(async () => {
  for (const p of procs) {
    await p.stop('SIGKILL');
  }
  await th?.dispose();
  await etcd?.remove();
  if (work) await rm(work, { recursive: true, force: true });
}, 120_000);

describe('node availability', () => {
  let a: Proc;

  it.each(CLIS)('%s: docker node ls and inspect list every node as a ready, active worker', async (cli) => {
    a ??= await manager('manager-a');
    await primaryOf([a]);
    await waitFor('3 healthy nodes', async () =>
      ((await docker(a, ['info'])).match(/Status: Healthy/g) ?? []).length === 3 ? true : undefined,
    );
    const ls = await docker(
      a,
      ['node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{.Availability}}'],
      cli,
    );
    expect(ls.split('\n').filter(Boolean).sort()).toEqual([
      'shy-1 Ready Active',
      'shy-2 Ready Active',
      'shy-3 Ready Active',
    ]);
    const inspected = JSON.parse(await docker(a, ['node', 'inspect', 'shy-2'], cli)) as {
      Description: { Hostname: string };
      Spec: { Availability: string; Role: string };
      Status: { State: string; Addr: string };
    }[];
    expect(inspected[0]).toMatchObject({
      Description: { Hostname: 'shy-2' },
      Spec: { Availability: 'active', Role: 'worker' },
      Status: { State: 'ready', Addr: host('shy-2').ip },
    });
    const missing = await run(a, ['node', 'inspect', 'no-such-node'], cli);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('No such node: no-such-node');
  });

  it.each(CLIS)(
    '%s: docker node update --availability pause keeps new containers away; active again',
    async (cli) => {
      await docker(a, ['node', 'update', '--availability', 'pause', 'shy-1'], cli);
      await waitFor('docker info shows the pause', async () => {
        const info = await docker(a, ['info']);
        return (
          /shy-1: [\d.:]+\n\s+└ ID: \S+\n\s+└ Status: Healthy\n\s+└ Availability: pause/.test(info) ||
          undefined
        );
      });
      const refused = await run(a, ['run', '-d', '-e', 'constraint:node==shy-1', 'busybox', 'true']);
      expect(refused.code).not.toBe(0);
      const ls = await docker(a, ['node', 'ls', '--format', '{{.Hostname}} {{.Availability}}'], cli);
      expect(ls).toContain('shy-1 Pause');
      const bad = await run(
        a,
        ['node', 'update', '--availability', 'drain', '--label-add', 'x=y', 'shy-1'],
        cli,
      );
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('node labels are engine labels');
      await docker(a, ['node', 'update', '--availability', 'active', 'shy-1'], cli);
      const ok = await docker(a, ['run', '-d', '-e', 'constraint:node==shy-1', 'busybox', 'true']);
      expect(ok.trim()).toMatch(/^[0-9a-f]{64}$/);
    },
  );

  it('shoal node drain moves the containers with a policy, names the rest, and waits until they are gone', async () => {
    const sids = new Map<string, string>();
    for (const n of ['d1', 'd2', 'd3']) sids.set(n, await runOn(a, n, 'shy-1', true));
    await runOn(a, 'stay1', 'shy-1', false);
    expect(await namesOn(host('shy-1'), true)).toEqual(['d1', 'd2', 'd3']);
    // the records of the new containers are written within a round or two
    await new Promise((r) => setTimeout(r, 2500));
    const r = await shoal(a, ['node', 'drain', 'shy-1', '--deadline', '90s']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('drained: 3 moved, 0 to move');
    expect(r.stdout).toContain('stay1 (no reschedule policy)');
    expect(await namesOn(host('shy-1'), true)).toEqual([]);
    expect(await namesOn(host('shy-1'))).toContain('stay1');
    for (const [name, sid] of sids) {
      const copies = await copiesOf(sid);
      expect(copies, name).toHaveLength(1);
      expect(copies[0]?.state).toBe('running');
      expect(copies[0]?.host).not.toBe('shy-1');
    }
    const ls = await shoal(a, ['node', 'ls']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/shy-1\s+\S+\s+healthy\s+drain\s+drained/);
    const metrics = await scrapeManager(a.port, th.certDir);
    expect(sampleValue(metrics, 'shoal_reschedules_total{trigger="drain",result="moved"}')).toBe(3);
    expect(sampleValue(metrics, 'shoal_reschedule_duration_seconds_count{trigger="drain"}')).toBe(3);
    expect((await shoal(a, ['node', 'activate', 'shy-1'])).code).toBe(0);
    expect((await shoal(a, ['node', 'drain', 'no-such-node'])).code).toBe(1);
    expect((await shoal(a, ['node', '--help'])).stdout).toContain('drain');
  });

  it('a drain goes on after the primary dies mid-way', async () => {
    const b = await manager('manager-b');
    await waitFor('the replica sees 3 healthy nodes', async () =>
      ((await docker(b, ['info'])).match(/Status: Healthy/g) ?? []).length === 3 ? true : undefined,
    );
    const sids: string[] = [];
    for (const n of ['e1', 'e2', 'e3', 'e4']) sids.push(await runOn(a, n, 'shy-2', true));
    await new Promise((r) => setTimeout(r, 2500));
    await docker(a, ['node', 'update', '--availability', 'drain', 'shy-2']);
    a.child.kill('SIGKILL');
    await primaryOf([b]);
    await waitFor(
      'every e* moved off shy-2',
      async () => {
        for (const sid of sids) {
          const copies = await copiesOf(sid);
          if (copies.length !== 1 || copies[0]!.host === 'shy-2' || copies[0]!.state !== 'running')
            return undefined;
        }
        return true;
      },
      90_000,
    );
    const ls = await docker(b, ['node', 'ls', '--format', '{{.Hostname}} {{.Availability}}']);
    expect(ls).toContain('shy-2 Drain');
  });
});
