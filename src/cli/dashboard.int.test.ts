/**
 * The dashboard in real Chromium (Debian's, driven by playwright-core; nothing downloaded) against a real cluster:
 * three netns engines (prefix shw, subnet 10.252.0.0/24) registered by `shoal join` agents in a loopback etcd, two
 * replicated `shoal manage --tlsverify` processes, and `shoal dashboard` pointed at the replica. Screenshots go to
 * dist/screenshots/.
 */
import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalEtcd, startLocalEtcd } from '../kv/index.js';
import { issueServerCert } from '../machine/certs/index.js';
import { bootTestHosts, DEFAULT_DOCKER_CLI, runCommand, type TestHosts } from '../testkit/hosts.js';
import { stopChild } from '../testkit/processes.js';
import { freePort } from '../util/free-port.js';

const SHOAL = join(import.meta.dirname, '../../shoal');
const UI = join(import.meta.dirname, '../../dist/web/index.html');
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(import.meta.dirname, '../../dist/screenshots');

interface Proc {
  name: string;
  child: ChildProcess;
  log: string;
}

let th: TestHosts;
let etcd: LocalEtcd | undefined;
let work = '';
const procs: Proc[] = [];
const ports: number[] = [];
let dashUrl = '';
let browser: Browser | undefined;
let page: Page;
let managerEnv: Record<string, string> = {};
let discoveryUrl = '';

function start(name: string, argv: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(argv[0]!, argv.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const p: Proc = { name, child, log: '' };
  const add = (b: Buffer) => {
    p.log += b.toString();
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  procs.push(p);
  return p;
}

function logs(): string {
  return procs.map((p) => `--- ${p.name}\n${p.log.slice(-2000)}`).join('\n');
}

async function waitFor(what: string, check: () => Promise<boolean>, limitMs = 60_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out waiting for ${what}\n${logs()}`);
}

/**
 * A replicated `shoal manage` on loopback `port`, with fast refresh and a 4 s leader TTL. With 2 s, a primary on
 * this machine loaded by Chromium, three engines and the rest of the suite once missed its lease renewals and lost
 * the leadership the later cases start from.
 */
function startManager(name: string, port: number): Proc {
  return start(name, [
    SHOAL,
    'manage',
    '--tlsverify',
    `--tlscacert=${join(th.certDir, 'ca.pem')}`,
    `--tlscert=${join(work, 'server.pem')}`,
    `--tlskey=${join(work, 'server-key.pem')}`,
    '--engine-refresh-min-interval=1s',
    '--engine-refresh-max-interval=2s',
    '--heartbeat=1s',
    '--replication',
    '--replication-ttl=4s',
    '--advertise',
    `127.0.0.1:${port}`,
    '-H',
    `tcp://127.0.0.1:${port}`,
    discoveryUrl,
  ]);
}

async function managerInfo(port: number): Promise<string> {
  const [ca, cert, key] = await Promise.all(
    ['ca.pem', 'cert.pem', 'key.pem'].map((f) => readFile(join(th.certDir, f))),
  );
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path: '/info', ca, cert, key }, (res) => {
        let text = '';
        res.on('data', (b: Buffer) => {
          text += b.toString();
        });
        res.on('end', () => resolve(text));
      })
      .on('error', reject);
  });
}

async function docker(args: string[]): Promise<string> {
  const r = await runCommand([DEFAULT_DOCKER_CLI, ...args], { env: managerEnv });
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function go(name: string): Promise<void> {
  await page.goto(`${dashUrl}#/${name}`);
}

beforeAll(async () => {
  for (const f of [UI, CHROMIUM])
    if (!existsSync(f)) throw new Error(`${f} is missing (npm run build; scripts/setup.sh)`);
  await mkdir(SHOTS, { recursive: true });
  work = await mkdtemp(join(tmpdir(), 'shoal-shw-'));
  th = await bootTestHosts({
    prefix: 'shw',
    subnet: '10.252.0.0/24',
    hosts: [{ name: 'shw-1', labels: ['zone=a'] }, { name: 'shw-2', labels: ['zone=b'] }, { name: 'shw-3' }],
  });
  await Promise.all(th.hosts.map((h) => th.loadBusybox(h)));
  etcd = await startLocalEtcd(work, 'shw');
  const discovery = `etcd://${etcd.endpoints.join(',')}/shw`;
  await issueServerCert({
    caCertPath: join(th.certDir, 'ca.pem'),
    caKeyPath: join(th.certDir, 'ca-key.pem'),
    commonName: 'shw-manager',
    clientAuth: true,
    outCert: join(work, 'server.pem'),
    outKey: join(work, 'server-key.pem'),
  });
  for (const h of th.hosts) {
    start(`agent ${h.name}`, [
      SHOAL,
      'join',
      '--advertise',
      `${h.ip}:2376`,
      '--heartbeat',
      '1s',
      '--ttl',
      '4s',
      discovery,
    ]);
  }
  discoveryUrl = discovery;
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    ports.push(port);
    startManager(`manager ${i + 1}`, port);
    if (i === 0) await waitFor('a primary', async () => (await managerInfo(port)).includes('"primary"'));
  }
  managerEnv = {
    DOCKER_HOST: `tcp://127.0.0.1:${ports[1]}`,
    DOCKER_TLS_VERIFY: '1',
    DOCKER_CERT_PATH: th.certDir,
  };
  await waitFor('3 healthy nodes through the replica', async () => {
    const info = await docker(['info']);
    return (info.match(/Status: Healthy/g) ?? []).length === 3;
  });
  const dashPort = await freePort();
  dashUrl = `http://127.0.0.1:${dashPort}/`;
  // pointed at the replica: the first -H is the one the API goes through
  start('dashboard', [
    SHOAL,
    'dashboard',
    '-s',
    th.storePath,
    '-H',
    `127.0.0.1:${ports[1]}`,
    '-H',
    `127.0.0.1:${ports[0]}`,
    '--discovery',
    discovery,
    '--addr',
    `127.0.0.1:${dashPort}`,
  ]);
  await waitFor('the dashboard', async () => (await fetch(dashUrl)).ok);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
}, 300_000);

afterAll(async () => {
  try {
    await browser?.close();
    for (const p of [...procs].reverse()) await stopChild(p.child).catch(() => undefined);
    await etcd?.remove();
  } finally {
    await th?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  }
}, 120_000);

describe('shoal dashboard in Chromium', () => {
  it('shows the three healthy nodes and the replica it goes through', async () => {
    await go('overview');
    await page.getByTestId('total-nodes').getByText('3/3').waitFor({ timeout: 20_000 });
    await page
      .getByTestId('managers')
      .locator(`tr[data-manager="127.0.0.1:${ports[0]}"]`)
      .getByText('primary')
      .waitFor();
    await page
      .getByTestId('managers')
      .locator(`tr[data-manager="127.0.0.1:${ports[1]}"]`)
      .getByText('replica')
      .waitFor();
    expect(await page.getByTestId('status').innerText()).toContain(`primary 127.0.0.1:${ports[0]}`);
    await go('nodes');
    const rows = page.getByTestId('nodes').locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(3);
    for (const h of th.hosts) {
      const row = page.locator(`tr[data-node="${h.name}"]`);
      expect(await row.innerText()).toContain('Healthy');
      expect(await row.innerText()).toContain(`${h.ip}:2376`);
    }
    expect(await page.locator('tr[data-node="shw-1"]').innerText()).toContain('zone=a');
    await shot('nodes');
  });

  it('pauses and activates a node from the page', async () => {
    await go('nodes');
    const row = page.locator('tr[data-node="shw-3"]');
    await row.getByRole('button', { name: 'pause' }).click();
    await row.locator('.badge-pause').waitFor({ timeout: 10_000 });
    await expect
      .poll(async () => (await docker(['info'])).match(/shw-3[\s\S]*?Availability: (\w+)/)?.[1])
      .toBe('pause');
    await row.getByRole('button', { name: 'activate' }).click();
    await expect
      .poll(async () => (await docker(['info'])).match(/shw-3[\s\S]*?Availability: (\w+)/)?.[1])
      .toBe('active');
  });

  it('shows a container made with the docker CLI without a reload, and stops it from the page', async () => {
    await go('containers');
    await page.getByTestId('containers').waitFor();
    await docker(['run', '-d', '--name', 'web1', '-e', 'constraint:node==shw-2', 'busybox', 'sleep', '600']);
    const row = page.locator('tr[data-container="web1"]');
    await row.getByText('running').waitFor({ timeout: 10_000 });
    expect(await row.innerText()).toContain('shw-2');
    await shot('containers');
    await row.getByRole('button', { name: 'stop' }).click();
    const engine = th.hosts[1]!;
    await waitFor('web1 stopped on the engine', async () => {
      const r = await th.docker(engine, ['inspect', '-f', '{{.State.Running}}', 'web1']);
      return r.code === 0 && r.stdout.trim() === 'false';
    });
    await row.locator('.badge-exited').waitFor({ timeout: 10_000 });
    await page.getByTestId('search').fill('web1');
    await expect.poll(() => page.getByTestId('containers').locator('tbody tr').count()).toBe(1);
    await page.getByTestId('search').fill('');
  });

  it('streams logs', async () => {
    await docker([
      'run',
      '-d',
      '--name',
      'ticker',
      'busybox',
      'sh',
      '-c',
      'i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.3; done',
    ]);
    await go('containers');
    const row = page.locator('tr[data-container="ticker"]');
    await row.getByText('running').waitFor({ timeout: 10_000 });
    await row.getByRole('button', { name: 'logs' }).click();
    const logs = page.getByTestId('logs');
    await logs.getByText('tick-1', { exact: false }).first().waitFor({ timeout: 10_000 });
    const count = async () => ((await logs.innerText()).match(/tick-/g) ?? []).length;
    const before = await count();
    await expect.poll(count, { timeout: 10_000 }).toBeGreaterThan(before + 2);
    await shot('logs');
  });

  it('plans a run and shows the rejection reasons', async () => {
    await go('placement');
    await page.locator('input[name="env"]').fill('constraint:zone==a');
    await page.getByRole('button', { name: 'plan' }).click();
    const answer = page.getByTestId('explanation');
    await answer.waitFor({ timeout: 10_000 });
    const text = await answer.innerText();
    expect(text).toContain('shw-1');
    for (const other of ['shw-2', 'shw-3']) {
      const row = await answer.locator(`tr[data-node="${other}"]`).innerText();
      expect(row).toMatch(/rejected/);
      expect(row).toMatch(/constraint/);
    }
    await shot('placement');
  });

  it('browses the discovery and leader keys', async () => {
    await go('kv');
    const kv = page.getByTestId('kv');
    for (const h of th.hosts) await kv.getByText(`nodes/${h.ip}:2376`).waitFor({ timeout: 10_000 });
    await kv.getByText('leader', { exact: true }).waitFor();
    expect(await kv.innerText()).toContain(`127.0.0.1:${ports[0]}`);
  });

  it('shows a hung, then killed primary as a failover; streams through the replica end and come back', async () => {
    await go('overview');
    await page.getByTestId('total-nodes').getByText('3/3').waitFor({ timeout: 20_000 });
    // `docker events` through the replica: the replica forwards it to the primary
    const events = start('docker events via the replica', [DEFAULT_DOCKER_CLI, 'events'], managerEnv);
    await docker(['run', '-d', '--name', 'before-failover', 'busybox', 'true']);
    await waitFor('the forwarded event stream', async () => events.log.includes('before-failover'));
    const m1 = procs.find((p) => p.name === 'manager 1')!;
    // a hung primary keeps its connections open: only the leadership move can end the forwarded streams
    m1.child.kill('SIGSTOP');
    await waitFor('the replica to become primary', async () =>
      (await managerInfo(ports[1]!)).includes('"primary"'),
    );
    await waitFor('docker events through the replica to end', async () => events.child.exitCode !== null);
    await stopChild(m1.child, 'SIGKILL');
    await page.getByTestId('failovers').locator('tr.failover').first().waitFor({ timeout: 30_000 });
    const row = await page.getByTestId('failovers').locator('tr.failover').first().innerText();
    expect(row).toContain(`127.0.0.1:${ports[1]}`);
    expect(row).toContain(`127.0.0.1:${ports[0]}`);
    await page.getByTestId('total-primary').getByText(`127.0.0.1:${ports[1]}`).waitFor({ timeout: 20_000 });
    await page
      .getByTestId('managers')
      .locator(`tr[data-manager="127.0.0.1:${ports[0]}"]`)
      .getByText('down')
      .waitFor({
        timeout: 20_000,
      });
    await page.getByTestId('total-failovers').getByText('1').waitFor();
    // the page's own stream came back through the new primary, and the header says so
    const status = page.getByTestId('status');
    await status.locator('.badge-primary').waitFor({ timeout: 20_000 });
    expect(await status.innerText()).toContain(`primary 127.0.0.1:${ports[1]}`);
    expect(await status.locator('.badge-replica').count()).toBe(0);
    await status.locator('.badge-live').waitFor({ timeout: 20_000 });
    await shot('overview');
  });

  it('lists events live', async () => {
    await go('events');
    await docker(['run', '-d', '--name', 'evt1', 'busybox', 'true']);
    await page.getByTestId('events').getByText('evt1').first().waitFor({ timeout: 10_000 });
    await shot('events');
  });

  it('goes through the other manager when its own dies, and says so', async () => {
    // the first manager comes back (a replica now), then the one the dashboard goes through is killed
    startManager('manager 1, again', ports[0]!);
    await waitFor('manager 1 back as a replica', async () =>
      (await managerInfo(ports[0]!)).includes('"replica"'),
    );
    await go('overview');
    await page.getByTestId('via').getByText(`127.0.0.1:${ports[1]}`).waitFor({ timeout: 20_000 });
    await stopChild(procs.find((p) => p.name === 'manager 2')!.child, 'SIGKILL');
    const status = page.getByTestId('status');
    await page.getByTestId('via').getByText(`127.0.0.1:${ports[0]}`).waitFor({ timeout: 30_000 });
    await status.locator('.badge-primary').waitFor({ timeout: 30_000 });
    await status.locator('.badge-live').waitFor({ timeout: 30_000 });
    expect(await status.innerText()).toContain(`primary 127.0.0.1:${ports[0]}`);
    // and it is live through the new one: a container made there shows without a reload
    managerEnv = { ...managerEnv, DOCKER_HOST: `tcp://127.0.0.1:${ports[0]}` };
    await docker(['run', '-d', '--name', 'after-switch', 'busybox', 'sleep', '60']);
    await go('containers');
    await page.getByTestId('containers').getByText('after-switch').first().waitFor({ timeout: 20_000 });
  });
});
