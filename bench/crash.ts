/**
 * The kill -9 campaign (see src/testkit/crash-campaign.ts): SIGKILLs `shoal machine create`, `machine rm`, `up` and
 * `down` at seeded random points, then checks `ls`/`status`, that `rm -f`/`down` leave no trace, and that the same
 * name can be made again. Run as root after `npm run build`, under the integration lock:
 * `npm run bench:crash -- [--runs 24] [--seed N] [--cycles machine,cluster]`. Uses prefix `crk`, subnet
 * 10.245.0.0/24 (the integration test's, so never both at once). Exits 1 on any violation.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sweepPrefix } from '../src/machine/drivers/netns/index.js';
import { runCrashCampaign } from '../src/testkit/crash-campaign.js';

const PREFIX = 'crk';
const SUBNET = '10.245.0.0/24';
const CLI = resolve(import.meta.dirname, '../../cli/main.js');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const seed = Number(arg('seed') ?? Date.now() % 1_000_000);
  const runs = Number(arg('runs') ?? 24);
  const cycles = (arg('cycles') ?? 'machine,cluster').split(',') as ('machine' | 'cluster')[];
  console.log(`kill -9 campaign: seed ${seed}, ${runs} runs, cycles ${cycles.join(',')}`);
  await sweepPrefix(PREFIX);
  const store = await mkdtemp(join(tmpdir(), 'shoal-crash-'));
  const upFile = join(store, 'cluster.json');
  await writeFile(upFile, JSON.stringify({ kvMembers: 1, managers: ['m1'], nodes: [] }));
  try {
    const report = await runCrashCampaign({
      seed,
      runs,
      cycles,
      prefix: PREFIX,
      subnet: SUBNET,
      store,
      cli: CLI,
      upFile,
      log: (l) => console.log(l),
    });
    const byOp = new Map<string, { n: number; killed: number }>();
    for (const r of report.runs) {
      const e = byOp.get(r.op) ?? { n: 0, killed: 0 };
      e.n++;
      if (r.killed) e.killed++;
      byOp.set(r.op, e);
    }
    console.log(
      `\n${report.runs.length} runs (seed ${seed}): ${[...byOp].map(([op, e]) => `${op} ${e.n} (${e.killed} killed mid-way)`).join(', ')}; ${report.violations} violations`,
    );
    process.exitCode = report.violations === 0 ? 0 : 1;
  } finally {
    await sweepPrefix(PREFIX).catch(() => undefined);
    await rm(store, { recursive: true, force: true });
  }
}

await main();
