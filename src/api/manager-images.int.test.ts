import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeName, netnsName } from '../host/names.js';
import { issueServerCert } from '../machine/certs/index.js';
import { isolationRule } from '../machine/drivers/netns/network.js';
import { parseSubnet } from '../machine/drivers/netns/subnet.js';
import { bootTestHosts, type RunResult, runCommand, type TestHosts } from '../testkit/hosts.js';
import { type MirrorSite, seedBusybox, startMirror, stopMirror } from '../up/registry-mirror.js';
import { freePort } from '../util/free-port.js';

// Two real netns hosts (prefix shp, subnet 10.237.0.0/24) whose engines trust a plain-HTTP registry (Debian's
// docker-registry, run in shp-1's namespaces and seeded with busybox), and two real `shoal manage` processes over
// them: one with --tlsverify (the CLIs use the store's client certificate) and one with --tls only.
const CLIS = ['/usr/bin/docker', '/usr/local/bin/docker'] as const;
const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');
const PREFIX = 'shp';
const SUBNET = '10.237.0.0/24';
const REGISTRY_IP = '10.237.0.2'; // shp-1: hosts get .2, .3, ... in order
const REG = `${REGISTRY_IP}:5000`;

interface Manager {
  proc: ChildProcess;
  port: number;
  log: string;
}

/** Where a raw request goes: a manager on loopback, or an engine (`host`: its address). */
interface Target {
  port: number;
  host?: string;
}

let th: TestHosts;
let work: string;
let site: MirrorSite | undefined;
const managers: Manager[] = [];
let verifying: Manager;
let plain: Manager;
let env: Record<string, string>;

function docker(
  args: string[],
  cli: string = CLIS[1],
  extraEnv?: Record<string, string>,
): Promise<RunResult> {
  return runCommand([cli, ...args], { env: { ...env, ...extraEnv } });
}

async function ok(args: string[], cli: string = CLIS[1]): Promise<string> {
  const r = await docker(args, cli);
  if (r.code !== 0)
    throw new Error(`docker ${args.join(' ')} (${cli}) exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Runs docker directly against one host's engine (not through a manager). */
function onHost(i: number, args: string[]): Promise<RunResult> {
  return th.docker(th.hosts[i]!, args);
}

interface Answer {
  status: number;
  text: string;
}

/**
 * A raw HTTPS request to a manager or an engine. `cert: false` sends no client certificate. Rejects when no answer
 * came within `limitMs` (a hang guard, not a timing assertion).
 */
async function api(
  m: Target,
  method: string,
  path: string,
  opts: { cert?: boolean; limitMs?: number } = {},
): Promise<Answer> {
  const [ca, cert, key] = await Promise.all(
    ['ca.pem', 'cert.pem', 'key.pem'].map((f) => readFile(join(th.certDir, f))),
  );
  const withCert = opts.cert ?? true;
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: m.host ?? '127.0.0.1',
        port: m.port,
        method,
        path,
        ca,
        ...(withCert ? { cert, key } : {}),
        timeout: opts.limitMs ?? 120_000,
      },
      (res) => {
        let text = '';
        res.on('data', (b: Buffer) => {
          text += b.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`${method} ${path}: no answer within ${opts.limitMs ?? 120_000} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, tries = 120): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(
    `timed out waiting for ${what}; manager logs:\n${managers.map((m) => m.log.slice(-2000)).join('\n---\n')}`,
  );
}

async function startManager(tlsFlag: '--tls' | '--tlsverify'): Promise<Manager> {
  const port = await freePort();
  const nodes = th.hosts.map((h) => `${h.ip}:2376`).join(',');
  const proc = spawn(
    process.execPath,
    [
      MAIN,
      'manage',
      tlsFlag,
      `--tlscacert=${join(th.certDir, 'ca.pem')}`,
      `--tlscert=${join(work, 'server.pem')}`,
      `--tlskey=${join(work, 'server-key.pem')}`,
      '--engine-refresh-min-interval=1s',
      '--engine-refresh-max-interval=2s',
      '-H',
      `tcp://127.0.0.1:${port}`,
      `nodes://${nodes}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const m: Manager = { proc, port, log: '' };
  managers.push(m);
  proc.stdout?.on('data', (b: Buffer) => {
    m.log += b.toString();
  });
  proc.stderr?.on('data', (b: Buffer) => {
    m.log += b.toString();
  });
  return m;
}

/** How many nodes a `docker info` reports healthy. */
function healthyCount(info: string): number {
  return (info.match(/Status: Healthy/g) ?? []).length;
}

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  work = await mkdtemp(join(tmpdir(), 'shoal-shp-'));
  th = await bootTestHosts({
    prefix: PREFIX,
    subnet: SUBNET,
    hosts: ['shp-1', 'shp-2'].map((name) => ({ name, engineOpts: [`insecure-registry=${REG}`] })),
  });
  expect(th.hosts[0]?.ip).toBe(REGISTRY_IP);
  site = { dir: join(work, 'registry'), ip: REGISTRY_IP, ns: netnsName(PREFIX, 'shp-1'), pushable: true };
  await startMirror(site);
  await seedBusybox(site);
  await issueServerCert({
    caCertPath: join(th.certDir, 'ca.pem'),
    caKeyPath: join(th.certDir, 'ca-key.pem'),
    commonName: 'shp-manager',
    clientAuth: true,
    outCert: join(work, 'server.pem'),
    outKey: join(work, 'server-key.pem'),
  });
  verifying = await startManager('--tlsverify');
  plain = await startManager('--tls');
  env = {
    DOCKER_HOST: `tcp://127.0.0.1:${verifying.port}`,
    DOCKER_TLS_VERIFY: '1',
    DOCKER_CERT_PATH: th.certDir,
  };
  for (const m of [verifying, plain]) {
    await waitFor(`2 healthy nodes behind :${m.port}`, async () => {
      const out = await ok(['-H', `tcp://127.0.0.1:${m.port}`, 'info']);
      return out.includes('Nodes: 2') && healthyCount(out) === 2;
    });
  }
});

afterAll(async () => {
  try {
    for (const m of managers) {
      if (m.proc.pid && m.proc.exitCode === null) {
        const gone = new Promise((r) => m.proc.once('exit', r));
        m.proc.kill('SIGTERM');
        await gone;
      }
    }
  } finally {
    try {
      if (site) await stopMirror(site);
    } finally {
      await th?.dispose();
      if (work) await rm(work, { recursive: true, force: true });
    }
  }
});

describe('shoal manage: images through a local registry, resize, TLS modes, search', () => {
  it.each(CLIS)('%s pulls from the registry on every node with per-node progress', async (cli) => {
    const image = `${REG}/library/busybox:latest`;
    for (const i of [0, 1]) await onHost(i, ['rmi', '-f', image]);
    const out = await ok(['pull', image], cli);
    for (const h of th.hosts)
      expect(out).toMatch(new RegExp(`^${h.name}: Pulling ${image}\\.\\.\\. : downloaded$`, 'm'));
    for (const i of [0, 1]) expect((await onHost(i, ['image', 'inspect', image])).code).toBe(0);
    const ls = await ok(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], cli);
    expect(ls.split('\n').filter((l) => l === image)).toHaveLength(1);
    expect(await ok(['run', '--rm', image, 'echo', 'pulled-runs'], cli)).toBe('pulled-runs\n');
  });

  it('streams one JSON line per step with the node as id, and reports a missing image per node', async () => {
    const r = await api(
      verifying,
      'POST',
      `/v1.41/images/create?fromImage=${REG}/library/busybox&tag=latest`,
    );
    expect(r.status).toBe(200);
    const lines = r.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id?: string; status?: string; error?: string });
    expect(lines.every((l) => l.error === undefined)).toBe(true);
    expect(new Set(lines.map((l) => l.id))).toEqual(new Set(['shp-1', 'shp-2']));
    const missing = await docker(['pull', `${REG}/nothing/here:1`]);
    expect(missing.code).not.toBe(0);
    for (const h of th.hosts) expect(missing.stderr + missing.stdout).toContain(`${h.name}: `);
    expect(missing.stderr + missing.stdout).toMatch(/not found|manifest unknown/);
  });

  it.each(CLIS)('%s pushes an image held by one node, and a pull brings it to the other', async (cli) => {
    const v = cli.includes('local') ? 'v28' : 'v20';
    const name = `${REG}/shp/pushed`;
    const ctr = `mk${v}`;
    await ok(
      ['run', '-d', '--name', ctr, `${REG}/library/busybox`, 'sh', '-c', `echo ${v} > /made; sleep 300`],
      cli,
    );
    await waitFor('the file', async () => (await ok(['exec', ctr, 'cat', '/made'], cli)) === `${v}\n`);
    const node = (await ok(['inspect', '-f', '{{.Node.Name}}', ctr], cli)).trim();
    const holder = th.hosts.findIndex((h) => h.name === node);
    const other = 1 - holder;
    await ok(['commit', ctr, `${name}:${v}`], cli);
    await ok(['rm', '-f', ctr], cli);
    expect((await onHost(other, ['image', 'inspect', `${name}:${v}`])).code).not.toBe(0);

    const pushed = await ok(['push', `${name}:${v}`], cli);
    expect(pushed).toMatch(new RegExp(`${v}: digest: sha256:[0-9a-f]{64}`));
    const tags = (await (await fetch(`http://${REG}/v2/shp/pushed/tags/list`)).json()) as { tags: string[] };
    expect(tags.tags).toContain(v);

    await ok(['pull', `${name}:${v}`], cli);
    expect((await onHost(other, ['image', 'inspect', `${name}:${v}`])).code).toBe(0);
    const run = await onHost(other, ['run', '--rm', `${name}:${v}`, 'cat', '/made']);
    expect(run.stdout).toBe(`${v}\n`);
    await ok(['rmi', `${name}:${v}`], cli);
  });

  it('pushes every tag of a repository held by one node (push --all-tags)', async () => {
    const repo = `${REG}/shp/alltags`;
    await ok(['run', '-d', '--name', 'mkall', `${REG}/library/busybox`, 'sleep', '300']);
    await ok(['commit', 'mkall', `${repo}:a`]);
    await ok(['rm', '-f', 'mkall']);
    await ok(['tag', `${repo}:a`, `${repo}:b`]);
    const out = await ok(['push', '--all-tags', repo]);
    expect(out).toMatch(/a: digest: sha256:/);
    expect(out).toMatch(/b: digest: sha256:/);
    const tags = (await (await fetch(`http://${REG}/v2/shp/alltags/tags/list`)).json()) as { tags: string[] };
    expect(tags.tags.sort()).toEqual(['a', 'b']);
    await ok(['rmi', `${repo}:a`, `${repo}:b`]);
  });

  it('refuses to push an image no node holds with the Engine 404', async () => {
    const r = await api(verifying, 'POST', `/v1.41/images/${REG}/shp/absent/push?tag=1`);
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text).message).toContain('No such image');
    const cli = await docker(['push', `${REG}/shp/absent:1`]);
    expect(cli.code).not.toBe(0);
  });

  it('resizes a running TTY container on its node and answers 404 for an unknown one', async () => {
    await ok(['run', '-d', '-t', '--name', 'tty', `${REG}/library/busybox`, 'sleep', '300']);
    const r = await api(verifying, 'POST', '/v1.41/containers/tty/resize?h=42&w=123');
    expect(r.status, r.text).toBe(200);
    // the container's own terminal (PID 1's stdin) now has the size the client asked for
    expect(await ok(['exec', 'tty', 'sh', '-c', 'stty size < /proc/1/fd/0'])).toBe('42 123\n');
    const again = await api(verifying, 'POST', '/containers/tty/resize?h=10&w=20');
    expect(again.status).toBe(200);
    expect(await ok(['exec', 'tty', 'sh', '-c', 'stty size < /proc/1/fd/0'])).toBe('10 20\n');
    const missing = await api(verifying, 'POST', '/v1.41/containers/no-such-tty/resize?h=1&w=1');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text).message).toBe('No such container: no-such-tty');
    await ok(['rm', '-f', 'tty']);
  });

  it.each(CLIS)('%s --tls reaches a --tls manager without a client certificate', async (cli) => {
    // the CA only: the client can check the manager but has no certificate of its own to show
    const empty = join(work, 'ca-only');
    await mkdir(empty, { recursive: true });
    await copyFile(join(th.certDir, 'ca.pem'), join(empty, 'ca.pem'));
    const noCert = {
      DOCKER_HOST: `tcp://127.0.0.1:${plain.port}`,
      DOCKER_TLS_VERIFY: '',
      DOCKER_CERT_PATH: empty,
    };
    const r = await docker(['--tls', 'info'], cli, noCert);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Server Version: swarm\/1\.2\.9 \(shoal \d+\.\d+\.\d+\)/);
    expect(r.stdout).toContain('Role: primary');
    expect(r.stdout).toContain('Strategy: spread');
    expect(r.stdout).toContain('Filters: health, port, containerslots, dependency, affinity, constraint');
    expect(r.stdout).toContain('Nodes: 2');
    for (const h of th.hosts) expect(r.stdout).toContain(`${h.name}: ${h.ip}:2376`);
    expect(healthyCount(r.stdout)).toBe(2);
    // the same client against the --tlsverify manager is turned away during the handshake
    const refused = await docker(['--tls', 'info'], cli, {
      ...noCert,
      DOCKER_HOST: `tcp://127.0.0.1:${verifying.port}`,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr + refused.stdout).toContain('tls: certificate required');
  });

  it('answers HTTPS clients without a certificate only when not verifying', async () => {
    const info = await api(plain, 'GET', '/v1.41/info', { cert: false });
    expect(info.status).toBe(200);
    expect(JSON.parse(info.text).ServerVersion).toMatch(/^swarm\/1\.2\.9 \(shoal /);
    await expect(api(verifying, 'GET', '/v1.41/info', { cert: false })).rejects.toThrow();
    expect((await api(verifying, 'GET', '/v1.41/info')).status).toBe(200);
  });

  it('passes a failed search through with a JSON error, without hanging', async () => {
    // A search in the local registry: the engine asks it for the v1 search API, which distribution 2.x lacks.
    const local = await api(
      verifying,
      'GET',
      `/v1.41/images/search?term=${encodeURIComponent(`${REG}/busybox`)}`,
      {
        limitMs: 90_000,
      },
    );
    const direct = await api(
      { host: th.hosts[1]!.ip, port: 2376 },
      'GET',
      `/v1.41/images/search?term=${encodeURIComponent(`${REG}/busybox`)}`,
    );
    expect(direct.status).toBeGreaterThanOrEqual(400);
    expect(local.status).toBe(direct.status);
    expect(JSON.parse(local.text)).toEqual(JSON.parse(direct.text));
    const cli = await docker(['search', `${REG}/busybox`]);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain('Error');

    // A Docker Hub search: only safe because the hosts' bridge rejects anything leaving it (checked first).
    const bridge = bridgeName(PREFIX, parseSubnet(SUBNET));
    const guard = await runCommand(['iptables', '-C', ...isolationRule(bridge)]);
    expect(guard.code, 'the isolation rule must be in place before a search that names Docker Hub').toBe(0);
    const hub = await api(verifying, 'GET', '/v1.41/images/search?term=x', { limitMs: 90_000 });
    expect(hub.status).toBeGreaterThanOrEqual(400);
    expect(typeof JSON.parse(hub.text).message).toBe('string');
    for (const m of managers) expect(m.proc.exitCode).toBeNull();
  });
});
