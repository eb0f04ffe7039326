/**
 * Wall time of `shoal up` (the tutorial's default topology) by step, then of the first `docker run busybox` on each
 * host (a pull from the registry mirror) and of a pull of an image that exists nowhere (straight to an engine and
 * through the manager), then of a second `up` (nothing to do) and of `shoal down`. Run as root after
 * `npm run build`: `npm run bench:up`. Uses prefix `shu`, subnet 10.236.0.0/24.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, PREFIX, type Ran, SUBNET, shoal } from './up-common.js';

/** Engine hosts of the default topology. */
const HOSTS = ['master1', 'master2', 'node1'];

/** Runs `fn` and returns its result with the wall time in ms. */
async function timed(fn: () => Promise<Ran>): Promise<[Ran, number]> {
  const t = Date.now();
  const r = await fn();
  return [r, Date.now() - t];
}

async function main(): Promise<void> {
  const store = await mkdtemp(join(tmpdir(), 'shoal-bench-up-'));
  const steps: [string, number][] = [];
  const t0 = Date.now();
  try {
    const up = await shoal(store, ['up', '--prefix', PREFIX, '--subnet', SUBNET], (line) => {
      const m = /^\[\s*[\d.]+s\] (.+): (?:done|unchanged) \(([\d.]+)s\)$/.exec(line);
      if (m) steps.push([m[1] as string, Number(m[2])]);
    });
    const upMs = Date.now() - t0;
    if (up.code !== 0) throw new Error(`shoal up failed: ${up.stderr}`);
    const pulls: [string, number, string][] = [];
    for (const host of HOSTS) {
      const ip = (await shoal(store, ['machine', 'ip', host])).stdout.trim();
      const [r, ms] = await timed(() => docker(store, host, ip, 2376, ['run', '--rm', 'busybox', 'true']));
      pulls.push([`first docker run busybox on ${host}`, ms, r.code === 0 ? 'ok' : r.stderr.trim()]);
    }
    const ip1 = (await shoal(store, ['machine', 'ip', 'master1'])).stdout.trim();
    const [direct, directMs] = await timed(() =>
      docker(store, 'master1', ip1, 2376, ['pull', 'shoal-bench/no-such-image']),
    );
    pulls.push([
      'unknown image pull on master1 (engine)',
      directMs,
      direct.stderr.trim().split('\n').at(-1) ?? '',
    ]);
    const [managed, managedMs] = await timed(() =>
      docker(store, 'master1', ip1, 3376, ['pull', 'shoal-bench/no-such-image-2']),
    );
    pulls.push([
      'unknown image pull via the manager',
      managedMs,
      managed.stderr.trim().split('\n').at(-1) ?? '',
    ]);
    const t1 = Date.now();
    const again = await shoal(store, ['up', '--prefix', PREFIX, '--subnet', SUBNET]);
    const againMs = Date.now() - t1;
    if (again.code !== 0) throw new Error(`second shoal up failed: ${again.stderr}`);
    const t2 = Date.now();
    const down = await shoal(store, ['down']);
    const downMs = Date.now() - t2;
    if (down.code !== 0) throw new Error(`shoal down failed: ${down.stderr}`);
    const w = Math.max(...steps.map(([s]) => s.length));
    process.stdout.write('shoal up, default topology (kv + master1 + master2 + node1):\n');
    for (const [s, sec] of steps) process.stdout.write(`  ${s.padEnd(w)}  ${sec.toFixed(1).padStart(6)} s\n`);
    process.stdout.write(
      `  ${'TOTAL (wall, incl. CLI start)'.padEnd(w)}  ${(upMs / 1000).toFixed(1).padStart(6)} s\n`,
    );
    const pw = Math.max(...pulls.map(([s]) => s.length));
    process.stdout.write('pulls (registry mirror on the KV host; no other registry reachable):\n');
    for (const [what, ms, outcome] of pulls) {
      process.stdout.write(`  ${what.padEnd(pw)}  ${(ms / 1000).toFixed(2).padStart(6)} s  ${outcome}\n`);
    }
    process.stdout.write(`second shoal up (no change): ${(againMs / 1000).toFixed(1)} s\n`);
    process.stdout.write(`shoal down: ${(downMs / 1000).toFixed(1)} s\n`);
  } finally {
    await shoal(store, ['down']);
    await rm(store, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
