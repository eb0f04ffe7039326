/**
 * How fast the dashboard shows the cluster: with the default `shoal up` cluster and `shoal dashboard` pointed at the
 * replica, in Debian's Chromium (playwright-core, nothing downloaded):
 * - a container created with the docker CLI: time from `docker run -d` returning to its row showing `running` in
 *   the page (no reload), ROUNDS times;
 * - a container stopped with the docker CLI: time from `docker stop` returning to its `exited` badge;
 * - the primary's manager killed (SIGKILL, the lease must expire): time until the page's header shows the replica
 *   as primary with its event stream live again, and the first container created afterwards appears.
 * Prints each sample and the medians. Run as root after `npm run build`: `npm run bench:dashboard`.
 * Uses prefix `shu`, subnet 10.236.0.0/24.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { freePort } from '../src/util/free-port.js';
import { CLI, docker, median, PREFIX, SUBNET, shoal } from './up-common.js';

const ROUNDS = Number(process.env.ROUNDS ?? 10);
const CHROMIUM = '/usr/bin/chromium';

const secs = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

async function main(): Promise<void> {
  const store = await mkdtemp(join(tmpdir(), 'shoal-bench-dash-'));
  let dash: ChildProcess | undefined;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const up = await shoal(store, ['up', '--prefix', PREFIX, '--subnet', SUBNET]);
    if (up.code !== 0) throw new Error(`shoal up failed: ${up.stderr}`);
    const status = JSON.parse((await shoal(store, ['status', '--json'])).stdout) as {
      hosts: { name: string; ip: string }[];
    };
    const ip = Object.fromEntries(status.hosts.map((h) => [h.name, h.ip])) as Record<string, string>;
    const role = async (h: string): Promise<string> => {
      const r = await docker(store, h, ip[h]!, 3376, ['info', '--format', '{{json .SystemStatus}}']);
      if (r.code !== 0) return 'down';
      const pairs = JSON.parse(r.stdout) as [string, string][];
      return pairs.find(([k]) => k === 'Role')?.[1] ?? 'unknown';
    };
    const primary = (await role('master1')) === 'primary' ? 'master1' : 'master2';
    const replica = primary === 'master1' ? 'master2' : 'master1';
    await Promise.all(
      ['master1', 'master2', 'node1'].map((h) => docker(store, h, ip[h]!, 2376, ['pull', '-q', 'busybox'])),
    );
    const run = (args: string[]) => docker(store, replica, ip[replica]!, 3376, args);

    const port = await freePort();
    dash = spawn('node', [CLI, 'dashboard', '--swarm', replica, '--addr', `127.0.0.1:${port}`], {
      env: { ...process.env, SHOAL_STORAGE_PATH: store },
      stdio: 'ignore',
    });
    const url = `http://127.0.0.1:${port}/`;
    for (let i = 0; ; i++) {
      if (
        await fetch(url).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (i > 100) throw new Error('the dashboard did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
    const page = await browser.newPage();
    await page.goto(`${url}#/containers`);
    await page.getByTestId('status').locator('.badge-live').waitFor({ timeout: 30_000 });

    const appear: number[] = [];
    const exited: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const name = `dash-${i}`;
      const r = await run(['run', '-d', '--name', name, 'busybox', 'sleep', '600']);
      if (r.code !== 0) throw new Error(`docker run: ${r.stderr}`);
      const t0 = performance.now();
      const row = page.locator(`tr[data-container="${name}"]`);
      await row.getByText('running').waitFor({ timeout: 30_000 });
      appear.push(performance.now() - t0);
      const s = await run(['stop', '-t', '0', name]);
      if (s.code !== 0) throw new Error(`docker stop: ${s.stderr}`);
      const t1 = performance.now();
      await row.locator('.badge-exited').waitFor({ timeout: 30_000 });
      exited.push(performance.now() - t1);
      process.stdout.write(
        `round ${i + 1}: created → row ${secs(appear.at(-1)!)}, stopped → exited ${secs(exited.at(-1)!)}\n`,
      );
    }

    await page.goto(`${url}#/overview`);
    await page.getByTestId('status').locator('.badge-replica').waitFor({ timeout: 30_000 });
    const kill = await docker(store, primary, ip[primary]!, 2376, ['kill', 'shoal-agent-master']);
    if (kill.code !== 0) throw new Error(`kill failed: ${kill.stderr}`);
    const t0 = performance.now();
    const header = page.getByTestId('status');
    await header.locator('.badge-primary').waitFor({ timeout: 90_000 });
    const tPrimary = performance.now() - t0;
    await header.locator('.badge-live').waitFor({ timeout: 30_000 });
    const tLive = performance.now() - t0;
    await page.goto(`${url}#/containers`);
    const r = await run(['run', '-d', '--name', 'dash-after', 'busybox', 'sleep', '600']);
    if (r.code !== 0) throw new Error(`docker run after failover: ${r.stderr}`);
    const t2 = performance.now();
    await page.locator('tr[data-container="dash-after"]').getByText('running').waitFor({ timeout: 30_000 });
    const tAfter = performance.now() - t2;
    process.stdout.write(
      `median over ${ROUNDS}: created → row ${secs(median(appear))} (max ${secs(Math.max(...appear))}), ` +
        `stopped → exited ${secs(median(exited))} (max ${secs(Math.max(...exited))})\n` +
        `primary killed: header shows the replica as primary after ${secs(tPrimary)}, stream live after ${secs(tLive)} ` +
        `(replication TTL 3 s); a container created afterwards shows after ${secs(tAfter)}\n`,
    );
  } finally {
    await browser.close();
    if (dash && dash.exitCode === null) {
      const gone = new Promise((r) => dash?.once('exit', r));
      dash.kill('SIGTERM');
      await gone;
    }
    await shoal(store, ['down']);
    await rm(store, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
