/**
 * Failover time of replicated managers: with the default `shoal up` cluster, SIGKILL the primary's manager
 * container (`docker kill shoal-agent-master` on its engine: no resignation, so the lease must expire) and time
 * until (a) the survivor reports `Role: primary` and (b) the first successful `docker run` through the survivor.
 * Then the old primary's manager is started again and rejoins as replica. Repeated ROUNDS times (default 5); prints
 * each round and the medians, and checks that no container name exists twice across the engines.
 * Run as root after `npm run build`: `npm run bench:failover`. Uses prefix `shu`, subnet 10.236.0.0/24.
 *
 * With `--sim-engines N` it runs the failover over N simulated engines instead (failover-sim.ts; no real engines,
 * so no shared lock needed): `npm run bench:failover -- --sim-engines 1000 [--containers 30] [--rounds 3]
 * [--ttl 3s] [--threads 2]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simFailover } from './failover-sim.js';
import { docker, median, PREFIX, SUBNET, shoal } from './up-common.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);

async function main(): Promise<void> {
  const store = await mkdtemp(join(tmpdir(), 'shoal-bench-fo-'));
  try {
    const up = await shoal(store, ['up', '--prefix', PREFIX, '--subnet', SUBNET]);
    if (up.code !== 0) throw new Error(`shoal up failed: ${up.stderr}`);
    const status = JSON.parse((await shoal(store, ['status', '--json'])).stdout) as {
      hosts: { name: string; ip: string }[];
    };
    const ip = Object.fromEntries(status.hosts.map((h) => [h.name, h.ip]));
    const role = async (h: string): Promise<string> => {
      const r = await docker(store, h, ip[h] as string, 3376, ['info', '--format', '{{json .SystemStatus}}']);
      if (r.code !== 0) return 'down';
      const pairs = JSON.parse(r.stdout) as [string, string][];
      return pairs.find(([k]) => k === 'Role')?.[1] ?? 'unknown';
    };
    // Pull busybox everywhere first, so the rounds time failover rather than a first pull.
    await Promise.all(
      ['master1', 'master2', 'node1'].map((h) =>
        docker(store, h, ip[h] as string, 2376, ['pull', '-q', 'busybox']),
      ),
    );
    const elected: number[] = [];
    const served: number[] = [];
    let attempts = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const primary = (await role('master1')) === 'primary' ? 'master1' : 'master2';
      const survivor = primary === 'master1' ? 'master2' : 'master1';
      const kill = await docker(store, primary, ip[primary] as string, 2376, ['kill', 'shoal-agent-master']);
      if (kill.code !== 0) throw new Error(`kill failed: ${kill.stderr}`);
      const t0 = Date.now();
      let tElected = 0;
      const watchRole = (async () => {
        while (Date.now() - t0 < 60_000) {
          if ((await role(survivor)) === 'primary') {
            tElected = Date.now() - t0;
            return;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      let tServed = 0;
      for (let k = 0; Date.now() - t0 < 60_000; k++) {
        attempts++;
        const r = await docker(store, survivor, ip[survivor] as string, 3376, [
          'run',
          '-d',
          '--name',
          `fo-${round}-${k}`,
          'busybox',
          'true',
        ]);
        if (r.code === 0) {
          tServed = Date.now() - t0;
          break;
        }
      }
      await watchRole;
      elected.push(tElected);
      served.push(tServed);
      process.stdout.write(
        `round ${round + 1}: ${primary} killed; ${survivor} primary after ${(tElected / 1000).toFixed(2)} s, first docker run ok after ${(tServed / 1000).toFixed(2)} s\n`,
      );
      await docker(store, primary, ip[primary] as string, 2376, ['start', 'shoal-agent-master']);
      const back = Date.now();
      while ((await role(primary)) !== 'replica' && Date.now() - back < 30_000)
        await new Promise((r) => setTimeout(r, 200));
    }
    const names = new Map<string, number>();
    for (const h of ['master1', 'master2', 'node1']) {
      const ps = await docker(store, h, ip[h] as string, 2376, [
        'ps',
        '-a',
        '--filter',
        'name=fo-',
        '--format',
        '{{.Names}}',
      ]);
      for (const n of ps.stdout.split('\n').filter(Boolean)) names.set(n, (names.get(n) ?? 0) + 1);
    }
    const dupes = [...names.values()].filter((c) => c > 1).length;
    process.stdout.write(
      `median over ${ROUNDS}: elected ${(median(elected) / 1000).toFixed(2)} s, first successful docker run ${(median(served) / 1000).toFixed(2)} s ` +
        `(replication TTL 3 s); ${attempts} create attempts, ${names.size} containers, ${dupes} duplicated\n`,
    );
  } finally {
    await shoal(store, ['down']);
    await rm(store, { recursive: true, force: true });
  }
}

const simArgs = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  simArgs.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');

(simArgs.has('sim-engines')
  ? simFailover({
      engines: Number(simArgs.get('sim-engines')),
      containers: Number(simArgs.get('containers') ?? 30),
      rounds: Number(simArgs.get('rounds') ?? 3),
      ttl: simArgs.get('ttl') ?? '3s',
      threads: Number(simArgs.get('threads') ?? 2),
      cli: simArgs.get('cli') ?? 'dist/cli/main.js',
      warmTimeoutMs: Number(simArgs.get('warm-timeout') ?? 600) * 1000,
      logDir: simArgs.get('log-dir'),
    })
  : main()
).catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
