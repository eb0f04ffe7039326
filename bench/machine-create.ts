/**
 * Benchmark of `shoal machine create -d netns`: creates three hosts one after another through MachineService (the
 * code path of the CLI) and prints the wall time of each step per host, attributed from the progress lines the
 * service and driver emit: certs (store CA + client cert, server cert), namespace (namespaces, bridge, veth),
 * engine start (daemon.json, launching dockerd), API wait (until dockerd answers on its socket) and TLS check
 * (first answer over TLS on tcp://IP:2376). Everything is removed afterwards. Issue target: < 30 s for three.
 *
 * Run as root: `npm run bench:machine`. Uses prefix `shn9` and subnet 10.232.5.0/24.
 */
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { netnsDriverFactory, sweepPrefix } from '../src/machine/drivers/netns/index.js';
import { MachineService } from '../src/machine/machine-service.js';

const STEPS = ['certs', 'checks', 'namespace', 'engine start', 'API wait', 'TLS check'] as const;
type Step = (typeof STEPS)[number];

/** Which step a progress line starts. */
function stepOf(line: string): Step | undefined {
  if (/certificate|CA:/i.test(line)) return 'certs';
  if (/pre-create/i.test(line)) return 'checks';
  if (/Creating machine|namespaces|bridge/i.test(line)) return 'namespace';
  if (/Provisioning|engine configuration|Starting the engine|Stopping the running/i.test(line))
    return 'engine start';
  if (/Waiting for the engine API/i.test(line)) return 'API wait';
  if (/over TLS/i.test(line)) return 'TLS check';
  return undefined;
}

const PREFIX = 'shn9';
const SUBNET = '10.232.5.0/24';
const NAMES = ['bench-1', 'bench-2', 'bench-3'];

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run the machine benchmark as root');
  await sweepPrefix(PREFIX);
  const storePath = await mkdtemp(join(tmpdir(), 'shoal-bench-'));
  let current: Step = 'certs';
  let mark = performance.now();
  let times: Record<Step, number> = Object.fromEntries(STEPS.map((s) => [s, 0])) as Record<Step, number>;
  const flush = (): void => {
    const now = performance.now();
    times[current] += now - mark;
    mark = now;
  };
  const service = new MachineService({
    storePath,
    drivers: new Map([['netns', netnsDriverFactory]]),
    progress: (line) => {
      const step = stepOf(line);
      if (step === undefined) return;
      flush();
      current = step;
    },
  });
  const rows: { name: string; times: Record<Step, number>; total: number }[] = [];
  try {
    for (const name of NAMES) {
      times = Object.fromEntries(STEPS.map((s) => [s, 0])) as Record<Step, number>;
      current = 'certs';
      const start = performance.now();
      mark = start;
      await service.create({
        name,
        driver: 'netns',
        driverFlags: { 'netns-subnet': SUBNET, 'netns-prefix': PREFIX },
        engine: { labels: ['bench=1'] },
      });
      flush();
      rows.push({ name, times, total: performance.now() - start });
    }
  } finally {
    for (const name of await service.store.list().catch(() => [] as string[])) {
      await service.remove(name, { force: true }).catch(() => undefined);
    }
    await sweepPrefix(PREFIX);
    await rm(storePath, { recursive: true, force: true });
  }

  const s = (ms: number): string => (ms / 1000).toFixed(2).padStart(8);
  const head = ['host'.padEnd(10), ...STEPS.map((x) => x.padStart(12)), 'total'.padStart(8)].join(' ');
  console.log(head);
  for (const r of rows) {
    console.log([r.name.padEnd(10), ...STEPS.map((x) => s(r.times[x]).padStart(12)), s(r.total)].join(' '));
  }
  const total = rows.reduce((a, r) => a + r.total, 0);
  console.log(
    `total for ${rows.length} hosts, one after another: ${(total / 1000).toFixed(2)} s (target < 30 s)`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
