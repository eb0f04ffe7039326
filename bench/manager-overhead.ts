/**
 * Manager overhead: `docker info`, `docker ps -a`, `docker inspect` (repeated, then with `-s`, which always goes
 * to the engine) and `docker run -d` through `shoal manage` vs straight to one engine, calls alternating (direct,
 * manager, manager, direct, ...) in the same run. Prints median, p99, the manager/direct ratio of the medians and
 * the median of the per-round ratios. Issue targets: run -d ≤ 1.05, ps -a and inspect ≤ 1.02, info faster through
 * the manager (answered from its cache).
 *
 * Run as root after `npm run build`:
 *   npx tsc -p bench/tsconfig.json && node dist/.bench/bench/manager-overhead.js [calls=100] [cli=/usr/bin/docker]
 * Boots three netns hosts (prefix `shab`, subnet 10.234.0.0/24) and removes everything afterwards.
 */
import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { issueServerCert } from '../src/machine/certs/index.js';
import { bootTestHosts, runCommand } from '../src/testkit/hosts.js';
import { freePort } from '../src/util/free-port.js';
import { shoalNodeFlags } from '../src/util/node-flags.js';

const CALLS = Number(process.argv[2] ?? 100);
const CLI = process.argv[3] ?? '/usr/bin/docker';
const ROOT = join(import.meta.dirname, '../../..');
const MAIN = join(ROOT, 'dist/cli/main.js');

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}

async function timed(args: string[], env: Record<string, string>): Promise<{ ms: number; out: string }> {
  const t0 = performance.now();
  const r = await runCommand([CLI, ...args], { env });
  const ms = performance.now() - t0;
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, out: r.stdout };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run the manager benchmark as root');
  const work = await mkdtemp(join(tmpdir(), 'shoal-shab-'));
  const th = await bootTestHosts({
    prefix: 'shab',
    subnet: '10.234.0.0/24',
    hosts: [{ name: 'shab-1' }, { name: 'shab-2' }, { name: 'shab-3' }],
  });
  let manager: ChildProcess | undefined;
  try {
    for (const h of th.hosts) await th.loadBusybox(h);
    await issueServerCert({
      caCertPath: join(th.certDir, 'ca.pem'),
      caKeyPath: join(th.certDir, 'ca-key.pem'),
      commonName: 'shab-manager',
      clientAuth: true,
      outCert: join(work, 'server.pem'),
      outKey: join(work, 'server-key.pem'),
    });
    const port = await freePort();
    const mgrEnv = {
      DOCKER_HOST: `tcp://127.0.0.1:${port}`,
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: th.certDir,
    };
    const direct = (th.hosts[0] as (typeof th.hosts)[number]).env;
    manager = spawn(
      process.execPath,
      [
        ...shoalNodeFlags(ROOT), // as ./shoal starts it
        MAIN,
        'manage',
        '--tlsverify',
        `--tlscacert=${join(th.certDir, 'ca.pem')}`,
        `--tlscert=${join(work, 'server.pem')}`,
        `--tlskey=${join(work, 'server-key.pem')}`,
        '-H',
        `tcp://127.0.0.1:${port}`,
        `nodes://${th.hosts.map((h) => `${h.ip}:2376`).join(',')}`,
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; ; i++) {
      const r = await runCommand([CLI, 'info'], { env: mgrEnv });
      if (r.code === 0 && (r.stdout.match(/Status: Healthy/g) ?? []).length === 3) break;
      if (i > 120) throw new Error('manager did not see 3 healthy nodes');
      await new Promise((res) => setTimeout(res, 500));
    }
    const target = (await timed(['run', '-d', 'busybox', 'sleep', '3600'], direct)).out.trim();
    const cases: [string, string[]][] = [
      ['info', ['info']],
      ['ps -a', ['ps', '-a']],
      // repeated inspects of one container: answered from the manager's store after the first
      ['inspect', ['inspect', target]],
      // size=1 is never stored: every call goes to the engine (the proxied path)
      ['inspect -s', ['inspect', '-s', target]],
      ['run -d', ['run', '-d', 'busybox', 'true']],
    ];
    console.log(`manager overhead, ${CALLS} calls each, CLI ${CLI}, 3 netns engines, TLS both ways`);
    console.log('command    direct p50  p99   | manager p50  p99   | ratio p50  paired');
    for (const [label, args] of cases) {
      const d: number[] = [];
      const m: number[] = [];
      await timed(args, direct);
      await timed(args, mgrEnv);
      for (let i = 0; i < CALLS; i++) {
        const order = i % 2 === 0 ? ([direct, mgrEnv] as const) : ([mgrEnv, direct] as const);
        for (const env of order) (env === direct ? d : m).push((await timed(args, env)).ms);
      }
      const f = (x: number) => x.toFixed(0).padStart(5);
      // paired: the median of manager/direct over each round's two neighbouring calls, which cancels the slow
      // drift of this shared machine that moves both medians by several percent from one run to the next
      const paired = quantile(
        m.map((x, i) => x / (d[i] as number)),
        0.5,
      );
      console.log(
        `${label.padEnd(10)} ${f(quantile(d, 0.5))} ${f(quantile(d, 0.99))} | ${f(quantile(m, 0.5))} ${f(quantile(m, 0.99))} | ${(quantile(m, 0.5) / quantile(d, 0.5)).toFixed(3)}      ${paired.toFixed(3)}`,
      );
      if (label === 'run -d') {
        for (const h of th.hosts) {
          const ids = (
            await runCommand([CLI, 'ps', '-aq', '--filter', 'status=exited'], { env: h.env })
          ).stdout
            .split('\n')
            .filter(Boolean);
          if (ids.length) await runCommand([CLI, 'rm', ...ids], { env: h.env });
        }
      }
    }
  } finally {
    if (manager?.pid && manager.exitCode === null) {
      manager.kill('SIGTERM');
      await new Promise((r) => manager?.once('exit', r));
    }
    await th.dispose();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
