/**
 * Classic Swarm 1.2's `rescheduling.bats`, case by case, against `shoal manage` on two real engines (prefix shb,
 * subnet 10.239.0.0/24): the same flags (`--engine-refresh-min-interval=1s --engine-refresh-max-interval=1s
 * --engine-failure-retry=1`, `nodes://` discovery), the same commands through the stock docker CLI (20.10), the same
 * expectations. Each case gets a fresh manager and empty engines. "Stop node-0" (`docker stop` of a docker-in-docker
 * container, whose `sh` containers ignore SIGTERM, so the daemon dies before they stop) is a hard kill of the host's
 * dockerd and its containers here.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bootTestHosts, runCommand, type TestHost, type TestHosts } from '../../testkit/hosts.js';
import {
  issueManagerCert,
  type ManagerCert,
  SHOAL_BIN,
  startProcess,
  type TestProcess,
} from '../../testkit/processes.js';
import { freePort } from '../../util/free-port.js';

const MAIN = join(import.meta.dirname, '../../../dist/cli/main.js');
const CLI = '/usr/bin/docker';
const POLICY_ON = 'com.docker.swarm.reschedule-policies=["on-node-failure"]';
const POLICY_OFF = 'com.docker.swarm.reschedule-policies=["off"]';

let th: TestHosts;
let work = '';
let cert: ManagerCert;
let manager: TestProcess | undefined;
let port = 0;

const node = (i: number): TestHost => th.hosts[i]!;

async function swarmManage(): Promise<void> {
  port = await freePort();
  manager = startProcess('manager', [
    SHOAL_BIN,
    'manage',
    '--tlsverify',
    ...cert.args,
    '--engine-refresh-min-interval=1s',
    '--engine-refresh-max-interval=1s',
    '--engine-failure-retry=1',
    '-H',
    `tcp://127.0.0.1:${port}`,
    `nodes://${node(0).ip}:2376,${node(1).ip}:2376`,
  ]);
  await retry(30, 'the manager to see 2 healthy nodes', async () => {
    const r = await swarm(['info']);
    return (r.stdout.match(/Status: Healthy/g) ?? []).length === 2;
  });
}

async function swarm(args: string[]) {
  return runCommand([CLI, ...args], {
    env: { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: th.certDir },
  });
}

/** `retry N 1 ...` of the bats helpers: up to `n` tries a second apart. */
async function retry(n: number, what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < n; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`gave up after ${n} tries: ${what}\n--- manager\n${manager?.log.slice(-4000)}`);
}

/** The bats `containerRunning C NODE`: inspect through the manager shows node NODE and status running. */
async function containerRunning(name: string, on: TestHost): Promise<boolean> {
  const r = await swarm(['inspect', name]);
  if (r.code !== 0) return false;
  const [c] = JSON.parse(r.stdout) as { Node?: { Name: string }; State: { Status: string } }[];
  return c?.Node?.Name === on.name && c.State.Status === 'running';
}

async function expectRunning(name: string, on: TestHost): Promise<void> {
  expect(await containerRunning(name, on), `${name} running on ${on.name}`).toBe(true);
}

async function lines(args: string[]): Promise<string[]> {
  const r = await swarm(args);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
}

async function run(args: string[]): Promise<void> {
  const r = await swarm(['run', ...args]);
  expect(r.code, `docker run ${args.join(' ')}: ${r.stderr}`).toBe(0);
}

async function waitUnhealthy(): Promise<void> {
  await retry(15, 'an Unhealthy node in docker info', async () =>
    (await swarm(['info'])).stdout.includes('Unhealthy'),
  );
}

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  work = await mkdtemp(join(tmpdir(), 'shoal-shb-'));
  th = await bootTestHosts({
    prefix: 'shb',
    subnet: '10.239.0.0/24',
    hosts: [{ name: 'shb-0' }, { name: 'shb-1' }],
  });
  for (const h of th.hosts) await th.loadBusybox(h);
  cert = await issueManagerCert(th.certDir, work, 'shb-manager');
}, 240_000);

afterEach(async () => {
  await manager?.stop('SIGKILL');
  manager = undefined;
  for (const h of th.hosts) {
    const probe = await th.docker(h, ['version'], { cli: CLI });
    if (probe.code !== 0) await h.startEngine();
    const ids = (await th.docker(h, ['ps', '-aq'], { cli: CLI })).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await th.docker(h, ['rm', '-f', ...ids], { cli: CLI });
  }
}, 120_000);

afterAll(async () => {
  await manager?.stop('SIGKILL');
  await th?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
}, 120_000);

describe("classic Swarm's rescheduling.bats against shoal manage", () => {
  it('rescheduling', async () => {
    await swarmManage();
    await run([
      '-dit',
      '--name',
      'c1',
      '-e',
      'constraint:node==~shb-0',
      '--label',
      POLICY_ON,
      'busybox',
      'sh',
    ]);
    await run([
      '-dit',
      '--name',
      'c2',
      '-e',
      'constraint:node==~shb-0',
      '--label',
      POLICY_OFF,
      'busybox',
      'sh',
    ]);
    await run([
      '-dit',
      '--name',
      'c3',
      '-e',
      'constraint:node==~shb-1',
      '--label',
      POLICY_ON,
      'busybox',
      'sh',
    ]);
    expect(await lines(['ps', '-q'])).toHaveLength(3);
    await expectRunning('c1', node(0));
    await expectRunning('c2', node(0));
    await expectRunning('c3', node(1));
    const swarmId = (
      await swarm(['inspect', '-f', '{{ index .Config.Labels "com.docker.swarm.id" }}', 'c1'])
    ).stdout.trim();
    expect(swarmId).toMatch(/^[0-9a-f]{64}$/);

    await node(0).killEngine();
    await waitUnhealthy();
    await retry(15, 'c1 running on shb-1', () => containerRunning('c1', node(1)));

    expect(
      (
        await swarm(['inspect', '-f', '{{ index .Config.Labels "com.docker.swarm.id" }}', 'c1'])
      ).stdout.trim(),
    ).toBe(swarmId);
    const bySwarmId = await swarm(['inspect', swarmId]);
    expect(bySwarmId.code, bySwarmId.stderr).toBe(0);
    expect(bySwarmId.stdout).toContain('"Name": "shb-1"');
    // c2 had the policy off: it stays on the dead node, which cannot be inspected
    expect((await swarm(['inspect', 'c2'])).code).toBe(1);
    await expectRunning('c3', node(1));
    expect(await lines(['ps', '-q'])).toHaveLength(2);
  }, 180_000);

  it('rescheduling with constraints', async () => {
    await swarmManage();
    await run([
      '-dit',
      '--name',
      'c1',
      '-e',
      'constraint:node==~shb-0',
      '-e',
      'reschedule:on-node-failure',
      'busybox',
      'sh',
    ]);
    await run([
      '-dit',
      '--name',
      'c2',
      '-e',
      'constraint:node==shb-0',
      '-e',
      'reschedule:on-node-failure',
      'busybox',
      'sh',
    ]);
    await run([
      '-dit',
      '--name',
      'c3',
      '-e',
      'constraint:node==shb-1',
      '-e',
      'reschedule:on-node-failure',
      'busybox',
      'sh',
    ]);
    expect(await lines(['ps', '-q'])).toHaveLength(3);
    await expectRunning('c1', node(0));
    await expectRunning('c2', node(0));
    await expectRunning('c3', node(1));

    await node(0).killEngine();
    await waitUnhealthy();
    await retry(15, 'c1 running on shb-1', () => containerRunning('c1', node(1)));
    // c2's hard constraint names the dead node: it cannot move
    const c2 = await swarm(['inspect', 'c2']);
    expect(c2.code, `${c2.stdout.slice(0, 1500)}\n--- manager\n${manager?.log.slice(-3000)}`).toBe(1);
    // and it stays listed on its node, as Host Down (Swarm puts a container it could not move back)
    expect(await lines(['ps', '-a', '--filter', 'name=c2', '--format', '{{.Names}} {{.Status}}'])).toEqual([
      'shb-0/c2 Host Down',
    ]);
    await expectRunning('c3', node(1));
  }, 180_000);

  it('reschedule conflict', async () => {
    await swarmManage();
    const bad = await swarm([
      'run',
      '--name',
      'c1',
      '-dit',
      '--label',
      'com.docker.swarm.reschedule-policies=["false"]',
      'busybox',
      'sh',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr + bad.stdout).toContain('invalid reschedule policy: false');
    const many = await swarm([
      'run',
      '--name',
      'c2',
      '-dit',
      '-e',
      'reschedule:off',
      '--label',
      POLICY_ON,
      '-e',
      'reschedule:off',
      'busybox',
      'sh',
    ]);
    expect(many.code).not.toBe(0);
    expect(many.stderr + many.stdout).toContain('too many reschedule policies');
    // neither left a container behind
    expect(await lines(['ps', '-aq'])).toHaveLength(0);
  }, 120_000);

  it('rescheduling node comes back', async () => {
    await swarmManage();
    await run([
      '-dit',
      '--name',
      'c1',
      '-e',
      'constraint:node==~shb-0',
      '--label',
      POLICY_ON,
      'busybox',
      'sh',
    ]);
    await run([
      '-dit',
      '--name',
      'c2',
      '-e',
      'constraint:node==~shb-0',
      '--label',
      POLICY_OFF,
      'busybox',
      'sh',
    ]);
    await run([
      '-dit',
      '--name',
      'c3',
      '-e',
      'constraint:node==~shb-1',
      '--label',
      POLICY_ON,
      'busybox',
      'sh',
    ]);
    expect(await lines(['ps', '-q'])).toHaveLength(3);
    await expectRunning('c1', node(0));
    await expectRunning('c2', node(0));
    await expectRunning('c3', node(1));

    await node(0).killEngine();
    await waitUnhealthy();
    await retry(15, 'c1 running on shb-1', () => containerRunning('c1', node(1)));
    // the old c1 left the listing
    expect(await lines(['ps', '-aq'])).toHaveLength(3);
    expect((await swarm(['inspect', 'c2'])).code).toBe(1);
    await expectRunning('c3', node(1));

    await node(0).startEngine();
    await retry(
      30,
      'no Unhealthy node',
      async () => !(await swarm(['info'])).stdout.includes('Status: Unhealthy'),
    );
    await expectRunning('c3', node(1));
    // the old copy of c1 on the returning node is removed: no duplicate
    await retry(10, 'three containers listed', async () => (await lines(['ps', '-aq'])).length === 3);
    await expectRunning('c1', node(1));

    await node(1).killEngine();
    await waitUnhealthy();
    await retry(15, 'c1 running on shb-0', () => containerRunning('c1', node(0)));
    await retry(15, 'c3 running on shb-0', () => containerRunning('c3', node(0)));
    expect(await lines(['ps', '-aq'])).toHaveLength(3);
  }, 240_000);

  it('rescheduling with exposed ports', async () => {
    await swarmManage();
    await run([
      '-dit',
      '--name',
      'c1',
      '-p',
      '80:80',
      '-e',
      'constraint:node==~shb-0',
      '--label',
      POLICY_ON,
      'busybox',
      'sh',
    ]);
    expect(await lines(['ps', '-q'])).toHaveLength(1);
    await expectRunning('c1', node(0));

    await node(0).killEngine();
    await waitUnhealthy();
    await retry(15, 'c1 running on shb-1', () => containerRunning('c1', node(1)));
    const ps = await swarm(['ps']);
    expect(ps.stdout).toContain('->80/tcp');
  }, 180_000);
});
