import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlacementExplanation } from '../scheduler/explanation.js';
import { bootTestHosts, type RunResult, runCommand, type TestHosts } from '../testkit/hosts.js';
import {
  issueManagerCert,
  SHOAL_BIN as SHOAL,
  startProcess,
  type TestProcess,
} from '../testkit/processes.js';
import { freePort } from '../util/free-port.js';

// Two real dockerd hosts in network namespaces (prefix spl, subnet 10.249.0.0/24) behind one `shoal manage`;
// `shoal plan` and `shoal explain` ask it through DOCKER_HOST, as after `eval "$(shoal machine env --swarm M)"`.
const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');
const DOCKER = '/usr/local/bin/docker';

let th: TestHosts;
let work: string;
let manager: TestProcess | undefined;
let env: Record<string, string>;

function run(argv: string[]): Promise<RunResult> {
  return runCommand(argv, { env });
}

async function ok(argv: string[]): Promise<string> {
  const r = await run(argv);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function waitFor(what: string, check: () => Promise<boolean>, tries = 120): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}; manager log:\n${manager?.log.slice(-3000) ?? ''}`);
}

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  work = await mkdtemp(join(tmpdir(), 'shoal-spl-'));
  th = await bootTestHosts({
    prefix: 'spl',
    subnet: '10.249.0.0/24',
    hosts: [
      { name: 'spl-1', labels: ['zone=a'] },
      { name: 'spl-2', labels: ['zone=b'] },
    ],
  });
  for (const h of th.hosts) await th.loadBusybox(h);
  const cert = await issueManagerCert(th.certDir, work, 'spl-manager');
  const port = await freePort();
  env = { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: th.certDir };
  manager = startProcess('manager', [
    SHOAL,
    'manage',
    '--tlsverify',
    ...cert.args,
    '-H',
    `tcp://127.0.0.1:${port}`,
    `nodes://${th.hosts.map((h) => `${h.ip}:2376`).join(',')}`,
  ]);
  await waitFor('2 healthy nodes', async () => {
    const out = await ok([DOCKER, 'info']);
    return (out.match(/Status: Healthy/g) ?? []).length === 2;
  });
});

afterAll(async () => {
  try {
    await manager?.stop();
  } finally {
    await th?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  }
});

describe('shoal plan and shoal explain against a real manager', () => {
  it('plans a run node by node, creating nothing', async () => {
    const plan = JSON.parse(
      await ok([SHOAL, 'plan', '-e', 'constraint:zone==b', '-m', '4m', '--format', 'json', 'busybox']),
    ) as PlacementExplanation;
    expect(plan.node).toBe('spl-2');
    expect(plan.summary).toBe('1/2 nodes are available');
    expect(plan.strategy).toBe('spread');
    expect(plan.nodes.find((n) => n.name === 'spl-1')).toMatchObject({
      verdict: 'rejected',
      filter: 'constraint',
    });
    expect(plan.nodes.find((n) => n.name === 'spl-2')).toMatchObject({ verdict: 'chosen', rank: 1 });
    expect(await ok([DOCKER, 'ps', '-aq'])).toBe('');

    const table = await ok([SHOAL, 'plan', '-e', 'constraint:zone==nowhere', 'busybox']);
    expect(table).toContain('Node:      (none)');
    expect(table).toContain('0/2 nodes are available: 2 rejected by constraint zone==nowhere.');
    expect(table).toMatch(/spl-1\s+rejected\s+constraint\s+zone=a does not satisfy zone==nowhere/);
  });

  it('explains where docker run put a container, and the no-node-fits error carries the summary', async () => {
    await ok([
      DOCKER,
      'run',
      '-d',
      '--name',
      'explained',
      '-e',
      'constraint:zone==a',
      'busybox',
      'sleep',
      '300',
    ]);
    const why = JSON.parse(
      await ok([SHOAL, 'explain', '--format', 'json', 'explained']),
    ) as PlacementExplanation;
    expect(why.node).toBe('spl-1');
    expect(why.container).toMatch(/^[0-9a-f]{64}$/);
    expect(why.nodes.find((n) => n.name === 'spl-2')).toMatchObject({
      verdict: 'rejected',
      filter: 'constraint',
    });
    const table = await ok([SHOAL, 'explain', 'explained']);
    expect(table).toMatch(/spl-1\s+chosen\s+1/);

    const missing = await run([SHOAL, 'explain', 'no-such-container']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('No such container: no-such-container');

    const refused = await run([DOCKER, 'run', '-d', '-e', 'constraint:zone==mars', 'busybox']);
    expect(refused.code).not.toBe(0);
    const lines = refused.stderr.split('\n');
    expect(refused.stderr).toContain('Unable to find a node that satisfies the following conditions');
    expect(lines).toContain('0/2 nodes are available: 2 rejected by constraint zone==mars.');
  });
});
