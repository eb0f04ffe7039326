import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from './program.js';

// Runs the built CLI (`npm run build` first; `npm test` does it) against a throw-away store.
const MAIN = resolve(import.meta.dirname, '../../dist/cli/main.js');
const store = mkdtempSync(join(tmpdir(), 'shk-cli-'));
afterAll(() => rmSync(store, { recursive: true, force: true }));

function shoal(args: string[], env: Record<string, string> = {}): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [MAIN, 'machine', '-s', store, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DOCKER_HOST: '', NODE_EXTRA_CA_CERTS: '', ...env },
    input: '',
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function machines(): string[] {
  const dir = join(store, 'machines');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

beforeAll(() => {
  expect(existsSync(MAIN), `${MAIN} missing: run npm run build`).toBe(true);
});

describe('shoal machine: bad input gives one line, non-zero exit, nothing left', () => {
  it.each<[string[], RegExp, number]>([
    [['create', '-d', 'none'], /missing required argument 'name'/, 1],
    [['create', '-d', 'none', 'x1'], /^Error: --url is required for the none driver\n$/, 1],
    [['create', 'x1'], /^Error: --driver is required \(one of: generic, netns, none\)\n$/, 1],
    [
      ['create', '-d', 'none', '--url', 'tcp://127.0.0.1:1', 'bad_name'],
      /^Error: Invalid machine name "bad_name"/,
      1,
    ],
    [['create', '-d', 'none', '--url', 'tcp://127.0.0.1:1', '-x'], /unknown option '-x'/, 1],
    [
      ['create', '-d', 'virtualbox', 'x1'],
      /^Error: Driver "virtualbox" not found. Valid drivers: generic, netns, none\n$/,
      1,
    ],
    [
      ['create', '-d', 'none', '--url', 'tcp://127.0.0.1:1', '--engine-registry-mirror', 'mirror:5000', 'x1'],
      /registry-mirror must be an http\(s\) URL/,
      1,
    ],
    [
      ['create', '-d', 'none', '--url', 'tcp://127.0.0.1:1', '--swarm', '--swarm-discovery', 'nodes', 'x1'],
      /scheme:\/\//,
      1,
    ],
    [['create', '-d', 'none', '--url', 'http//nope', 'x1'], /--url must look like tcp:\/\/IP:PORT/, 1],
    [['create', '-d', 'none', '--url', 'tcp://127.0.0.1:1', '--bogus', 'x1'], /unknown option '--bogus'/, 1],
    [
      ['create', '-d', 'netns', '--netns-prefix', 'shk', '--netns-dockerd', '/nonexistent/dockerd', 'x1'],
      /dockerd not found/,
      3,
    ],
    [['ls', '--filter', 'color=red'], /^Error: Unsupported filter key 'color'\n$/, 1],
    [['inspect', 'ghost'], /^Error: Host does not exist: "ghost"\n$/, 1],
    [['env'], /No machine name\(s\) specified and no "default" machine exists/, 1],
    [['env', '--shell', 'nushell', 'x'], /Unknown shell "nushell"/, 1],
  ])(
    '%j',
    (args, re, code) => {
      const r = shoal(args);
      expect(r.code).toBe(code);
      expect(r.err).toMatch(re);
      expect(machines()).toEqual([]);
    },
    60_000,
  );
});

describe('shoal machine with the none driver (no engine needed)', () => {
  it('create, duplicate, ls, inspect, ip, url, status, refusals, env errors, rm', () => {
    const c = shoal(['create', '-d', 'none', '--url', 'tcp://127.0.0.1:1', '--engine-label', 'zone=a', 'n1']);
    expect(c.code).toBe(0);
    expect(c.out).toMatch(/Checking certificates/);
    expect(c.out).toMatch(/Machine "n1" created in [\d.]+s/);
    expect(shoal(['create', '-d', 'none', '--url', 'tcp://127.0.0.1:2', 'n10']).code).toBe(0);
    expect(shoal(['create', '-d', 'none', '--url', 'tcp://127.0.0.1:3', 'n1']).err).toBe(
      'Error: Host already exists: "n1"\n',
    );
    expect(machines()).toEqual(['n1', 'n10']);

    expect(shoal(['ls', '-q']).out).toBe('n1\nn10\n');
    expect(shoal(['ls', '-q', '--filter', 'label=zone=a']).out).toBe('n1\n');
    expect(shoal(['ls', '--format', '{{.Name}} {{.DriverName}} {{.State}}']).out).toBe(
      'n1 none Running\nn10 none Running\n',
    );
    const table = shoal(['ls', '-t', '5']).out.split('\n');
    expect(table[0]).toMatch(/^NAME\s+ACTIVE\s+DRIVER\s+STATE\s+URL\s+SWARM\s+DOCKER\s+ERRORS$/);
    expect(table[1]).toMatch(/^n1\s+-\s+none\s+Running\s+tcp:\/\/127\.0\.0\.1:1\s+Unknown\s+cannot reach/);
    expect(shoal(['ls', '-q'], { DOCKER_HOST: 'tcp://127.0.0.1:2' }).code).toBe(0);
    expect(shoal(['ls', '--format', '{{.Name}}{{.Active}}'], { DOCKER_HOST: 'tcp://127.0.0.1:2' }).out).toBe(
      'n1-\nn10*\n',
    );
    expect(shoal(['active'], { DOCKER_HOST: 'tcp://127.0.0.1:2' }).out).toBe('n10\n');
    expect(shoal(['active'], { DOCKER_HOST: 'tcp://127.0.0.1:9' }).err).toBe('Error: No active host found\n');

    expect(
      shoal(['inspect', '-f', '{{.DriverName}} {{json .HostOptions.EngineOptions.Labels}}', 'n1']).out,
    ).toBe('none ["zone=a"]\n');
    const rec = JSON.parse(shoal(['inspect', 'n1']).out);
    expect(rec).toMatchObject({
      ConfigVersion: 3,
      DriverName: 'none',
      Name: 'n1',
      Driver: { URL: 'tcp://127.0.0.1:1' },
    });
    expect(shoal(['ip', 'n1']).out).toBe('127.0.0.1\n');
    expect(shoal(['url', 'n10']).out).toBe('tcp://127.0.0.1:2\n');
    expect(shoal(['status', 'n1']).out).toBe('Running\n');
    const stop = shoal(['stop', 'n1']);
    expect([stop.code, stop.err]).toEqual([1, 'Error: n1: the "none" driver does not support stop\n']);
    expect(shoal(['ssh', 'n1']).err).toMatch(/does not support ssh/);

    const env = shoal(['env', 'n1']);
    expect(env.code).toBe(1);
    expect(env.err).toMatch(
      /^Error: There was an error validating certificates for host "127\.0\.0\.1:1": .*regenerate-certs n1'\n$/,
    );
    expect(shoal(['env', '-u']).out).toBe(
      'unset DOCKER_TLS_VERIFY\nunset DOCKER_HOST\nunset DOCKER_CERT_PATH\nunset DOCKER_MACHINE_NAME\n' +
        '# Run this command to configure your shell: \n# eval $(shoal machine env -u)\n',
    );

    expect(shoal(['rm', 'n1']).code).toBe(1); // no stdin answer: aborted
    expect(machines()).toEqual(['n1', 'n10']);
    const rm = shoal(['rm', '-y', 'n1', 'n10']);
    expect(rm.code).toBe(0);
    expect(machines()).toEqual([]);
    expect(shoal(['ls']).out).toMatch(/^NAME\s+ACTIVE/);
  }, 180_000);

  it('every command has --help', async () => {
    // one real run, the rest in-process (each CLI start costs ~1-2 s on a loaded box)
    expect(shoal(['create', '--help']).out).toMatch(/^Usage: shoal machine create \[options\] <name>/);
    const machine = (await buildProgram()).commands.find((c) => c.name() === 'machine');
    const names = machine?.commands.map((c) => c.name()).sort();
    expect(names).toEqual([
      'active',
      'config',
      'create',
      'env',
      'inspect',
      'ip',
      'kill',
      'ls',
      'provision',
      'regenerate-certs',
      'restart',
      'rm',
      'ssh',
      'start',
      'status',
      'stop',
      'url',
      'version',
    ]);
    for (const c of machine?.commands ?? []) {
      expect(c.helpInformation(), c.name()).toMatch(new RegExp(`^Usage: shoal machine ${c.name()}`));
      expect(c.description(), c.name()).not.toBe('');
    }
  }, 60_000);

  it('storage path comes from SHOAL_STORAGE_PATH, then MACHINE_STORAGE_PATH', () => {
    const other = mkdtempSync(join(tmpdir(), 'shk-env-'));
    try {
      const run = (env: Record<string, string>) =>
        spawnSync(
          process.execPath,
          [MAIN, 'machine', 'create', '-d', 'none', '--url', 'tcp://127.0.0.1:1', 'e1'],
          {
            encoding: 'utf8',
            env: { ...process.env, SHOAL_STORAGE_PATH: '', MACHINE_STORAGE_PATH: '', ...env },
          },
        ).status;
      expect(run({ MACHINE_STORAGE_PATH: join(other, 'm') })).toBe(0);
      expect(existsSync(join(other, 'm', 'machines', 'e1', 'config.json'))).toBe(true);
      expect(run({ SHOAL_STORAGE_PATH: join(other, 's'), MACHINE_STORAGE_PATH: join(other, 'm2') })).toBe(0);
      expect(existsSync(join(other, 's', 'machines', 'e1'))).toBe(true);
      expect(existsSync(join(other, 'm2'))).toBe(false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  }, 60_000);
});
