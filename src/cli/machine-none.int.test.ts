import 'reflect-metadata';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepPrefix } from '../machine/drivers/netns/index.js';

// A real netns host made by `shoal machine create -d netns`, then registered a second time with `-d none --url`;
// both docker CLIs talk to its engine through `shoal machine env`. Prefix shk, subnet 10.231.0.0/24.
const MAIN = resolve(import.meta.dirname, '../../dist/cli/main.js');
const PREFIX = 'shk';
const SUBNET = '10.231.0.0/24';
const store = mkdtempSync(join(tmpdir(), 'shk-int-'));

function shoal(args: string[], env: Record<string, string> = {}): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [MAIN, 'machine', '-s', store, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DOCKER_HOST: '', ...env },
    input: '',
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** Parses POSIX `export K="V"` lines of `env` into an object. */
function envVars(out: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const m of out.matchAll(/^export ([A-Z_]+)="(.*)"$/gm)) vars[m[1] as string] = m[2] as string;
  return vars;
}

function docker(cli: string, vars: Record<string, string>, args: string[]): string {
  return execFileSync(cli, args, { encoding: 'utf8', env: { ...process.env, ...vars }, timeout: 60_000 });
}

let ip = '';

beforeAll(async () => {
  expect(existsSync(MAIN), `${MAIN} missing: run npm run build`).toBe(true);
  await sweepPrefix(PREFIX);
  const r = shoal([
    'create',
    '-d',
    'netns',
    '--netns-prefix',
    PREFIX,
    '--netns-subnet',
    SUBNET,
    '--engine-label',
    'zone=a',
    'h1',
  ]);
  expect(r.code, r.err).toBe(0);
  ip = shoal(['ip', 'h1']).out.trim();
});

afterAll(async () => {
  try {
    shoal(['rm', '-f', 'h1', 'ext']);
  } finally {
    await sweepPrefix(PREFIX);
    rmSync(store, { recursive: true, force: true });
  }
});

describe('machine create -d none against a real engine', () => {
  it('create showed its steps and the netns host answers', () => {
    expect(ip).toMatch(/^10\.231\.0\.\d+$/);
    const ls = shoal(['ls', '--format', '{{.Name}} {{.DriverName}} {{.State}} {{.URL}} {{.DockerVersion}}']);
    expect(ls.out).toBe(`h1 netns Running tcp://${ip}:2376 v20.10.24+dfsg1\n`);
  });

  it('registers the engine with the none driver; env works for both docker CLIs', () => {
    const c = shoal(['create', '-d', 'none', '--url', `tcp://${ip}:2376`, 'ext']);
    expect(c.code, c.err).toBe(0);
    // none: nothing issued for the host, only the client copies
    expect(readdirSync(join(store, 'machines', 'ext')).sort()).toEqual([
      'ca.pem',
      'cert.pem',
      'config.json',
      'key.pem',
    ]);
    const env = shoal(['env', 'ext']);
    expect(env.code, env.err).toBe(0);
    expect(env.out).toBe(
      `export DOCKER_TLS_VERIFY="1"\nexport DOCKER_HOST="tcp://${ip}:2376"\n` +
        `export DOCKER_CERT_PATH="${join(store, 'machines', 'ext')}"\nexport DOCKER_MACHINE_NAME="ext"\n` +
        '# Run this command to configure your shell: \n# eval $(shoal machine env ext)\n',
    );
    const vars = envVars(env.out);
    for (const cli of ['/usr/bin/docker', '/usr/local/bin/docker']) {
      const info = docker(cli, vars, ['info', '--format', '{{.Name}}|{{json .Labels}}']);
      const [name, labels] = info.trim().split('|');
      expect(name, cli).toBe('h1');
      // dockerd lists its labels in no fixed order
      expect((JSON.parse(labels ?? 'null') as string[]).sort(), cli).toEqual(['provider=netns', 'zone=a']);
    }
    // the ACTIVE column and `active` follow DOCKER_HOST
    expect(shoal(['active'], { DOCKER_HOST: vars.DOCKER_HOST ?? '' }).out).toMatch(/^(ext|h1)\n$/);
    expect(shoal(['config', 'ext']).out.split('\n')).toEqual([
      '--tlsverify',
      `--tlscacert="${join(store, 'machines', 'ext')}/ca.pem"`,
      `--tlscert="${join(store, 'machines', 'ext')}/cert.pem"`,
      `--tlskey="${join(store, 'machines', 'ext')}/key.pem"`,
      `-H=tcp://${ip}:2376`,
      '',
    ]);
    expect(shoal(['version', 'ext']).out).toBe('20.10.24+dfsg1\n');
    const np = shoal(['env', '--no-proxy', 'ext'], { NO_PROXY: 'localhost' });
    expect(np.out).toContain(`export NO_PROXY="localhost,${ip}"\n`);
    const fish = shoal(['env', '--shell', 'fish', 'ext']);
    expect(fish.out).toContain(`set -gx DOCKER_HOST "tcp://${ip}:2376";\n`);
    const sw = shoal(['env', '--swarm', 'ext']);
    expect([sw.code, sw.err]).toEqual([
      1,
      'Error: "ext" is not a swarm master. The --swarm flag is intended for use with swarm masters\n',
    ]);
  });

  it('ssh runs a command inside the netns host; stop/start go through the driver', () => {
    const r = spawnSync(process.execPath, [MAIN, 'machine', '-s', store, 'ssh', 'h1', 'hostname'], {
      encoding: 'utf8',
    });
    expect([r.status, r.stdout]).toEqual([0, 'h1\n']);
    expect(shoal(['stop', 'h1']).code).toBe(0);
    expect(shoal(['status', 'h1']).out).toBe('Stopped\n');
    expect(shoal(['ls', '-q', '--filter', 'state=stopped']).out).toBe('h1\n');
    const st = shoal(['start', 'h1']);
    expect(st.code, st.err).toBe(0);
    expect(
      shoal(['ls', '--format', '{{.Name}} {{.State}} {{.DockerVersion}}', '--filter', 'driver=netns']).out,
    ).toBe('h1 Running v20.10.24+dfsg1\n');
  });

  it('regenerate-certs --client-certs: a new CA breaks the old copies with a hint, regenerating fixes them', () => {
    const r = shoal(['regenerate-certs', '-f', '--client-certs', 'h1']);
    expect(r.code, r.err).toBe(0);
    expect(shoal(['env', 'h1']).code).toBe(0);
    const broken = shoal(['env', 'ext']);
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/error validating certificates for host .*regenerate-certs ext'/);
    expect(shoal(['regenerate-certs', '-f', 'ext']).code).toBe(0);
    const vars = envVars(shoal(['env', 'ext']).out);
    expect(docker('/usr/local/bin/docker', vars, ['info', '--format', '{{.Name}}']).trim()).toBe('h1');
  });

  it('rm removes the registration without touching the engine, then the netns host', () => {
    expect(shoal(['rm', '-y', 'ext']).code).toBe(0);
    expect(shoal(['status', 'h1']).out).toBe('Running\n');
    expect(shoal(['rm', '-y', 'h1']).code).toBe(0);
    expect(readdirSync(join(store, 'machines'))).toEqual([]);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toMatch(/\bshk-/);
  });
});
