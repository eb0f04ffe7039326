/**
 * Rescheduling time on the default `shoal up` cluster (managers as `up` runs them: engine refresh 2-4 s,
 * replication TTL 3 s, agents' heartbeat 2 s / TTL 6 s, `--reschedule-grace` 3 s):
 * - worker: a container with `reschedule:on-node-failure` on node1; `shoal machine kill node1` (power cut: engine,
 *   agent and every process of the host); time until the primary shows it running on another node;
 * - primary host: the same with the container on the primary manager's own host, timed through the other manager;
 * - drain: 20 containers with the policy on node1, time of `shoal node drain node1` (the containers stop on SIGTERM
 *   at once, so the time is shoal's, not a stop timeout's).
 * ROUNDS rounds each (default 5), killed hosts started again between rounds; prints each round and the medians,
 * and checks that no swarm ID has two copies at the end.
 * Run as root after `npm run build`: `npm run bench:reschedule`. Uses prefix `shu`, subnet 10.236.0.0/24.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CLI, docker, median, PREFIX, run, SUBNET, shoal } from './up-common.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const HOSTS = ['master1', 'master2', 'node1'] as const;
const QUICK_STOP = ['sh', '-c', "trap 'exit 0' TERM; sleep 86400 & wait"];

async function main(): Promise<void> {
  const store = await mkdtemp(join(tmpdir(), 'shoal-bench-rs-'));
  try {
    const up = await shoal(store, ['up', '--prefix', PREFIX, '--subnet', SUBNET]);
    if (up.code !== 0) throw new Error(`shoal up failed: ${up.stderr}`);
    const status = JSON.parse((await shoal(store, ['status', '--json'])).stdout) as {
      hosts: { name: string; ip: string }[];
    };
    const ip = Object.fromEntries(status.hosts.map((h) => [h.name, h.ip])) as Record<string, string>;
    const mgr = (h: string, args: string[]) => docker(store, h, ip[h]!, 3376, args);
    const role = async (h: string): Promise<string> => {
      const r = await mgr(h, ['info', '--format', '{{json .SystemStatus}}']);
      if (r.code !== 0) return 'down';
      const pairs = JSON.parse(r.stdout) as [string, string][];
      return pairs.find(([k]) => k === 'Role')?.[1] ?? 'unknown';
    };
    const healthy = async (h: string): Promise<number> => {
      const r = await mgr(h, ['info']);
      return (r.stdout.match(/Status: Healthy/g) ?? []).length;
    };
    const until = async (what: string, check: () => Promise<boolean>, ms = 120_000): Promise<void> => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        if (await check().catch(() => false)) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`timed out: ${what}`);
    };
    const primary = async (): Promise<string> => {
      for (;;) {
        for (const h of ['master1', 'master2']) if ((await role(h)) === 'primary') return h;
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await Promise.all(HOSTS.map((h) => docker(store, h, ip[h]!, 2376, ['pull', '-q', 'busybox'])));

    /** Where `name` runs, as the manager `via` lists it (`node/name`), when it is running. */
    const runningOn = async (via: string, name: string): Promise<string | undefined> => {
      const r = await mgr(via, ['ps', '--filter', `name=${name}`, '--format', '{{.Names}}']);
      const line = r.stdout.split('\n').find((l) => l.endsWith(`/${name}`));
      return line?.split('/')[0];
    };

    const killRound = async (label: string, victim: string, via: string, name: string): Promise<number> => {
      const pm = await primary();
      const c = await mgr(pm, [
        'run',
        '-d',
        '--name',
        name,
        '-e',
        'reschedule:on-node-failure',
        '-e',
        `constraint:node==~${victim}`,
        'busybox',
        'sleep',
        '86400',
      ]);
      if (c.code !== 0) throw new Error(`run failed: ${c.stderr}`);
      if ((await runningOn(pm, name)) !== victim) throw new Error(`${name} did not land on ${victim}`);
      await new Promise((r) => setTimeout(r, 2500)); // its desired state is recorded within a round
      const t0 = Date.now();
      const k = await shoal(store, ['machine', 'kill', victim]);
      if (k.code !== 0) throw new Error(`machine kill ${victim}: ${k.stderr}`);
      let where: string | undefined;
      await until(`${name} running elsewhere`, async () => {
        where = await runningOn(via, name);
        return where !== undefined && where !== victim;
      });
      const ms = Date.now() - t0;
      process.stdout.write(
        `${label}: ${victim} killed, ${name} running on ${where} after ${(ms / 1000).toFixed(2)} s\n`,
      );
      const s = await shoal(store, ['machine', 'start', victim]);
      if (s.code !== 0) throw new Error(`machine start ${victim}: ${s.stderr}`);
      await until('3 healthy nodes again', async () => (await healthy(via)) === 3);
      await until(
        'both managers up',
        async () => (await role('master1')) !== 'down' && (await role('master2')) !== 'down',
      );
      return ms;
    };

    const worker: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      worker.push(await killRound(`worker round ${i + 1}`, 'node1', await primary(), `rw-${i}`));
    }
    const prim: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const p = await primary();
      const other = p === 'master1' ? 'master2' : 'master1';
      prim.push(await killRound(`primary-host round ${i + 1}`, p, other, `rp-${i}`));
    }

    const pm = await primary();
    for (let i = 0; i < 20; i++) {
      const r = await mgr(pm, [
        'run',
        '-d',
        '--name',
        `rd-${i}`,
        '-e',
        'reschedule:on-node-failure',
        '-e',
        'constraint:node==~node1',
        'busybox',
        ...QUICK_STOP,
      ]);
      if (r.code !== 0) throw new Error(`run rd-${i}: ${r.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 3000));
    const t0 = Date.now();
    const drain = await run(
      ['node', resolve(CLI), 'node', 'drain', 'node1', '--deadline', '10m'],
      {
        DOCKER_HOST: `tcp://${ip[pm]}:3376`,
        DOCKER_TLS_VERIFY: '1',
        DOCKER_CERT_PATH: `${store}/machines/${pm}`,
      },
      // the drain's progress, timed: where the time goes
      (line) => process.stdout.write(`  drain +${((Date.now() - t0) / 1000).toFixed(1)} s  ${line}\n`),
    );
    const drainMs = Date.now() - t0;
    if (drain.code !== 0) throw new Error(`drain failed (${drain.code}): ${drain.stderr}${drain.stdout}`);

    const counts = new Map<string, number>();
    for (const h of HOSTS) {
      const ps = await docker(store, h, ip[h]!, 2376, [
        'ps',
        '-a',
        '--filter',
        'label=com.docker.swarm.reschedule-policies',
        '--format',
        '{{.Label "com.docker.swarm.id"}}',
      ]);
      for (const id of ps.stdout.split('\n').filter(Boolean)) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const dupes = [...counts.values()].filter((n) => n > 1).length;
    process.stdout.write(
      `median over ${ROUNDS}: worker host killed → running elsewhere ${(median(worker) / 1000).toFixed(2)} s; ` +
        `primary's host killed → running elsewhere ${(median(prim) / 1000).toFixed(2)} s; ` +
        `drain of 20 containers ${(drainMs / 1000).toFixed(2)} s; ${counts.size} swarm IDs, ${dupes} with two copies\n`,
    );
  } finally {
    await shoal(store, ['down']);
    await rm(store, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
