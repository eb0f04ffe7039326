import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Runs the built CLI (`npm run build` first; `npm test` does it) with a preload that reports, as the process exits,
// whether the etcd client library was loaded.
const DIST = resolve(import.meta.dirname, '../../dist');
const MAIN = join(DIST, 'cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'shk-startup-'));
const PRELOAD = join(dir, 'report.cjs');
const store = join(dir, 'store');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  expect(existsSync(MAIN), `${MAIN} missing: run npm run build`).toBe(true);
  writeFileSync(
    PRELOAD,
    `process.on('exit', () => process.stderr.write('etcd3 loaded: ' + ` +
      `Object.keys(require.cache).some((k) => k.includes('/node_modules/etcd3/')) + '\\n'));\n`,
  );
});

/** Whether the process run by `args` (after `node --require PRELOAD`) loaded etcd3, and how it exited. */
function run(args: string[]): { code: number; loaded: boolean; err: string } {
  const r = spawnSync(process.execPath, ['--require', PRELOAD, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DOCKER_HOST: '', SWARM_DISCOVERY: '' },
    input: '',
    timeout: 30_000,
  });
  const m = /etcd3 loaded: (true|false)/.exec(r.stderr);
  if (!m) throw new Error(`no report from the preload; stderr: ${r.stderr}`);
  return { code: r.status ?? -1, loaded: m[1] === 'true', err: r.stderr };
}

describe('the etcd client library is loaded only by what talks to etcd', () => {
  it.each([
    [['manage', '--help']],
    [['join', '--help']],
    [['list', 'nodes://127.0.0.1:2375,127.0.0.1:2376']],
    [['machine', '-s', store, 'ls']],
  ])('shoal %j does not load it', (args) => {
    const r = run([MAIN, ...args]);
    expect(r.code, r.err).toBe(0);
    expect(r.loaded).toBe(false);
  });

  it('is loaded once the etcd client is asked for (the report can say so)', () => {
    const client = pathToFileURL(join(DIST, 'discovery/etcd-client.js')).href;
    const r = run(['--input-type=module', '-e', `(await import('${client}')).etcd3();`]);
    expect(r.code, r.err).toBe(0);
    expect(r.loaded).toBe(true);
  });
});
