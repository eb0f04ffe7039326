/**
 * The kill -9 campaign in a bounded form (the full one is `npm run bench:crash`): `shoal machine create` and `rm`
 * killed at seeded random points (4 runs), then `shoal up` and `down` of a one-member, one-manager cluster (2 runs).
 * After each kill `ls`/`status` answer without a stack trace, `rm -f`/`down` leave no trace, and the same name is
 * made again. Prefix `crk`, subnet 10.245.0.0/24. Replay a failure with SHOAL_CRASH_SEED=<printed seed>.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrashReport, runCrashCampaign, tracesOf } from '../testkit/crash-campaign.js';
import { sweepPrefix } from './drivers/netns/index.js';

const PREFIX = 'crk';
const SUBNET = '10.245.0.0/24';
const CLI = resolve(import.meta.dirname, '../../dist/cli/main.js');
const SEED = Number(process.env.SHOAL_CRASH_SEED ?? Date.now() % 1_000_000);

let store = '';
let upFile = '';

function summary(r: CrashReport): string {
  return r.runs
    .map((x) => `${x.op} killed after ${x.killAfterMs} ms: ${x.violations.join('; ') || 'ok'}`)
    .join('\n');
}

beforeAll(async () => {
  await sweepPrefix(PREFIX);
  store = await mkdtemp(join(tmpdir(), 'shoal-crk-'));
  upFile = join(store, 'cluster.json');
  await writeFile(upFile, JSON.stringify({ kvMembers: 1, managers: ['m1'], nodes: [] }));
  console.log(`kill -9 campaign seed ${SEED} (SHOAL_CRASH_SEED to replay)`);
});

afterAll(async () => {
  await sweepPrefix(PREFIX).catch(() => undefined);
  if (store) await rm(store, { recursive: true, force: true });
});

describe('kill -9 at random points leaves nothing rm -f and down cannot clear', () => {
  const base = () => ({ prefix: PREFIX, subnet: SUBNET, store, cli: CLI, upFile, log: console.log });

  it('machine create and rm (4 runs)', async () => {
    const r = await runCrashCampaign({ ...base(), seed: SEED, runs: 4, cycles: ['machine'] });
    expect(r.runs).toHaveLength(4);
    expect(r.violations, summary(r)).toBe(0);
    expect(await tracesOf(PREFIX, store)).toEqual([]);
  }, 600_000);

  it('up and down (2 runs)', async () => {
    const r = await runCrashCampaign({ ...base(), seed: SEED + 1, runs: 2, cycles: ['cluster'] });
    expect(r.runs).toHaveLength(2);
    expect(r.violations, summary(r)).toBe(0);
    expect(await tracesOf(PREFIX, store)).toEqual([]);
  }, 900_000);
});
