import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootTestHosts, type RunResult, runCommand, type TestHosts } from '../testkit/hosts.js';
import {
  issueManagerCert,
  SHOAL_BIN as SHOAL,
  startProcess,
  type TestProcess,
} from '../testkit/processes.js';
import { freePort } from '../util/free-port.js';

// Two real netns engines (prefix shf, subnet 10.238.0.0/24) under a real `shoal manage` process with Swarm's
// DEFAULT refresh intervals (30-60 s): the manager's view may only change through the engines' events and its own
// reads, so a stale entry would stay for at least half a minute. Containers that exit at once are started through
// the manager and must show as exited well before any periodic refresh could have fixed them.
const CLIS = ['/usr/bin/docker', '/usr/local/bin/docker'] as const;
const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');
/** Far below the 30 s minimum refresh interval: only events and the manager's own reads can be seen in time. */
const BEFORE_ANY_REFRESH_MS = 12_000;
const ROUNDS = 4;

let th: TestHosts;
let work: string;
let manager: TestProcess | undefined;
let env: Record<string, string>;

function docker(args: string[], cli: string = CLIS[1]): Promise<RunResult> {
  return runCommand([cli, ...args], { env });
}

async function ok(args: string[], cli: string = CLIS[1]): Promise<string> {
  const r = await docker(args, cli);
  if (r.code !== 0)
    throw new Error(`docker ${args.join(' ')} (${cli}) exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Polls `check` until it holds; throws with the last answer after `limitMs`. */
async function until(what: string, check: () => Promise<string | true>, limitMs: number): Promise<void> {
  const end = Date.now() + limitMs;
  let last = '';
  for (;;) {
    const r = await check().catch((err: unknown) => String(err));
    if (r === true) return;
    last = r;
    if (Date.now() > end)
      throw new Error(
        `${what}: still "${last}" after ${limitMs} ms; manager log:\n${manager?.log.slice(-2000) ?? ''}`,
      );
    await new Promise((res) => setTimeout(res, 250));
  }
}

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  work = await mkdtemp(join(tmpdir(), 'shoal-shf-'));
  th = await bootTestHosts({
    prefix: 'shf',
    subnet: '10.238.0.0/24',
    hosts: [{ name: 'shf-1' }, { name: 'shf-2' }],
  });
  for (const h of th.hosts) await th.loadBusybox(h);
  const cert = await issueManagerCert(th.certDir, work, 'shf-manager');
  const port = await freePort();
  env = { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: th.certDir };
  manager = startProcess('manager', [
    SHOAL,
    'manage',
    '--tlsverify',
    ...cert.args,
    '-H',
    `tcp://127.0.0.1:${port}`,
    // no refresh flags: Swarm's defaults, 30 s to 60 s between periodic refreshes
    `nodes://${th.hosts.map((h) => `${h.ip}:2376`).join(',')}`,
  ]);
  await until(
    'two healthy nodes',
    async () => {
      const out = await ok(['info']);
      return (out.match(/Status: Healthy/g) ?? []).length === 2 || out.slice(0, 200);
    },
    120_000,
  );
});

afterAll(async () => {
  try {
    await manager?.stop();
  } finally {
    await th?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  }
});

describe('the manager view after its own writes, with default refresh intervals', () => {
  it.each(CLIS)('%s: a container that exits at once shows as exited, in every list filter', async (cli) => {
    const tag = cli.includes('local') ? 'n28' : 'n20';
    for (let i = 0; i < ROUNDS; i++) {
      const name = `g3-${tag}-${i}`;
      await ok(['run', '-d', '--name', name, 'busybox', 'true'], cli);
      await until(
        `${name} in docker ps -a`,
        async () => {
          const s = (
            await ok(['ps', '-a', '--filter', `name=${name}`, '--format', '{{.Status}}'], cli)
          ).trim();
          return /^Exited \(0\)/.test(s) || s;
        },
        BEFORE_ANY_REFRESH_MS,
      );
      // and it stays that way: no older answer lands afterwards
      await new Promise((r) => setTimeout(r, 1000));
      expect(
        (await ok(['ps', '-a', '--filter', `name=${name}`, '--format', '{{.Status}}'], cli)).trim(),
      ).toMatch(/^Exited \(0\)/);
      expect(await ok(['ps', '--format', '{{.Names}}'], cli)).not.toContain(name);
      expect(await ok(['ps', '-a', '--filter', 'status=exited', '--format', '{{.Names}}'], cli)).toContain(
        name,
      );
      expect((await ok(['inspect', '-f', '{{.State.Status}}', name], cli)).trim()).toBe('exited');
      expect((await ok(['wait', name], cli)).trim()).toBe('0');
    }
  });

  it('a stop and a restart through the manager show at once', async () => {
    await ok(['run', '-d', '--name', 'sleeper', 'busybox', 'sleep', '300']);
    await ok(['stop', '-t', '0', 'sleeper']);
    await until(
      'sleeper exited',
      async () => {
        const s = (await ok(['ps', '-a', '--filter', 'name=sleeper', '--format', '{{.Status}}'])).trim();
        return /^Exited/.test(s) || s;
      },
      BEFORE_ANY_REFRESH_MS,
    );
    await ok(['start', 'sleeper']);
    await until(
      'sleeper up again',
      async () => {
        const s = (await ok(['ps', '--filter', 'name=sleeper', '--format', '{{.Status}}'])).trim();
        return /^Up/.test(s) || s;
      },
      BEFORE_ANY_REFRESH_MS,
    );
    await ok(['rm', '-f', 'sleeper']);
    await until(
      'sleeper gone',
      async () =>
        (await ok(['ps', '-a', '--filter', 'name=sleeper', '--format', '{{.Names}}'])).trim() === '' ||
        'listed',
      BEFORE_ANY_REFRESH_MS,
    );
  });
});
