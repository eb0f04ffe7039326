import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

// Runs the built CLI (`npm run build` first; `npm test` does it): Swarm's fatal flag texts, one line on stderr and
// exit status 1, in the long, single-dash and `=` spellings scripts written for `swarm` use.
const MAIN = resolve(import.meta.dirname, '../../dist/cli/main.js');
const DISCOVERY = 'etcd://127.0.0.1:1/shoal-flags-test';

function shoal(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, SWARM_DISCOVERY: '', SWARM_ADVERTISE: '', SWARM_HOST: '' },
    input: '',
    timeout: 15_000,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  expect(existsSync(MAIN), `${MAIN} missing: run npm run build`).toBe(true);
});

describe("Swarm's flag texts (fatal, exit 1)", () => {
  const join = ['join', '--advertise', '10.0.0.1:2376'];
  it.each<[string[], string]>([
    [[...join, '--ttl=soon', DISCOVERY], 'invalid --ttl: time: invalid duration "soon"'],
    [[...join, '-ttl', 'soon', DISCOVERY], 'invalid --ttl: time: invalid duration "soon"'],
    [[...join, '--heartbeat', 'soon', DISCOVERY], 'invalid --heartbeat: time: invalid duration "soon"'],
    [[...join, '-heartbeat=soon', DISCOVERY], 'invalid --heartbeat: time: invalid duration "soon"'],
    [[...join, '-delay=soon', DISCOVERY], 'invalid --delay: time: invalid duration "soon"'],
    [[...join, '--heartbeat=500ms', DISCOVERY], '--heartbeat should be at least one second (got 500ms)'],
    [
      [...join, '--heartbeat=5s', '--ttl=5s', DISCOVERY],
      '--ttl must be strictly superior to the heartbeat value (got ttl 5s)',
    ],
    [['-l', 'debug', ...join, '-ttl=soon', DISCOVERY], 'invalid --ttl: time: invalid duration "soon"'],
    [
      ['join', '--advertise', '10.0.0.1:2376'],
      "discovery required to join a cluster. See 'shoal join --help'.",
    ],
    [['list', '-timeout=soon', DISCOVERY], 'invalid --timeout: time: invalid duration "soon"'],
    [['list', '--timeout', '0s', DISCOVERY], '--timeout should be a positive number (got 0s)'],
    [['list'], "discovery required to list a cluster. See 'shoal list --help'."],
    [
      ['manage', '-replication-ttl=soon', DISCOVERY],
      'invalid --replication-ttl: time: invalid duration "soon"',
    ],
    [['manage', '--heartbeat', 'soon', DISCOVERY], 'invalid --heartbeat: time: invalid duration "soon"'],
    [['manage'], "discovery required to manage a cluster. See 'shoal manage --help'."],
  ])('shoal %j', (args, text) => {
    const r = shoal(args);
    expect(r.err).toBe(`Error: ${text}\n`);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
  });
});
