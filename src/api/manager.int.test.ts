import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueServerCert } from '../machine/certs/index.js';
import { bootTestHosts, type RunResult, runCommand, type TestHosts } from '../testkit/hosts.js';
import { freePort } from '../util/free-port.js';

// Three real netns hosts (prefix sha, subnet 10.234.0.0/24), the manager as a real `shoal manage --tlsverify`
// process, and the stock docker CLIs (20.10 and 28), docker-compose 1.29 and dockerode against it.
const CLIS = ['/usr/bin/docker', '/usr/local/bin/docker'] as const;
const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');
// started through the checkout's `shoal` script, so the manager runs with the flags users get (etc/openssl.cnf)
const SHOAL = join(import.meta.dirname, '../../shoal');

let th: TestHosts;
let work: string;
let manager: ChildProcess | undefined;
let managerLog = '';
let port = 0;
let env: Record<string, string>;

function docker(args: string[], cli: string = CLIS[1], input?: string): Promise<RunResult> {
  return runCommand([cli, ...args], { env, ...(input !== undefined ? { input } : {}) });
}

async function ok(args: string[], cli: string = CLIS[1], input?: string): Promise<string> {
  const r = await docker(args, cli, input);
  if (r.code !== 0)
    throw new Error(`docker ${args.join(' ')} (${cli}) exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** A raw HTTPS request to the manager with the store's client certificate. */
async function api(
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  const [ca, cert, key] = await Promise.all(
    ['ca.pem', 'cert.pem', 'key.pem'].map((f) => readFile(join(th.certDir, f))),
  );
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        ca,
        cert,
        key,
        headers: body !== undefined ? { 'Content-Type': 'application/json' } : {},
      },
      (res) => {
        let text = '';
        res.on('data', (b: Buffer) => {
          text += b.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, tries = 120): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}; manager log:\n${managerLog.slice(-3000)}`);
}

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  work = await mkdtemp(join(tmpdir(), 'shoal-sha-'));
  th = await bootTestHosts({
    prefix: 'sha',
    subnet: '10.234.0.0/24',
    hosts: [{ name: 'sha-1', labels: ['region=eu'] }, { name: 'sha-2' }, { name: 'sha-3' }],
  });
  // The manager's certificate serves clients and reaches engines: serverAuth + clientAuth
  // (docs/behaviour/tls.md#manager-to-engines).
  await issueServerCert({
    caCertPath: join(th.certDir, 'ca.pem'),
    caKeyPath: join(th.certDir, 'ca-key.pem'),
    commonName: 'sha-manager',
    clientAuth: true,
    outCert: join(work, 'server.pem'),
    outKey: join(work, 'server-key.pem'),
  });
  port = await freePort();
  env = { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: th.certDir };
  const nodes = th.hosts.map((h) => `${h.ip}:2376`).join(',');
  manager = spawn(
    SHOAL,
    [
      'manage',
      '-tlsverify', // Go-style single-dash spelling, as swarm scripts write it
      `--tlscacert=${join(th.certDir, 'ca.pem')}`,
      '--tlscert',
      join(work, 'server.pem'),
      `--tlskey=${join(work, 'server-key.pem')}`,
      '--engine-refresh-min-interval=1s',
      '--engine-refresh-max-interval=2s',
      '-H',
      `tcp://127.0.0.1:${port}`,
      `-H=unix://${join(work, 'manager.sock')}`,
      `nodes://${nodes}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  manager.stdout?.on('data', (b: Buffer) => {
    managerLog += b.toString();
  });
  manager.stderr?.on('data', (b: Buffer) => {
    managerLog += b.toString();
  });
  await waitFor('3 healthy nodes', async () => {
    const out = await ok(['info']);
    return out.includes('Nodes: 3') && (out.match(/Status: Healthy/g) ?? []).length === 3;
  });
  // busybox on one host only; `docker load` through the manager puts it on all three
  await th.loadBusybox(th.hosts[0]!);
  await runCommand([CLIS[1], 'save', '-o', join(work, 'bb.tar'), 'busybox:latest'], {
    env: th.hosts[0]!.env,
  });
});

afterAll(async () => {
  try {
    if (manager?.pid && manager.exitCode === null) {
      manager.kill('SIGTERM');
      await new Promise((r) => manager?.once('exit', r));
    }
  } finally {
    await th?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  }
});

describe('shoal manage through the docker CLIs', () => {
  it.each(CLIS)('%s info prints the cluster layout', async (cli) => {
    const out = await ok(['info'], cli);
    expect(out).toMatch(/Server Version: swarm\/1\.2\.9 \(shoal \d+\.\d+\.\d+\)/);
    expect(out).toContain('Role: primary');
    expect(out).toContain('Strategy: spread');
    expect(out).toContain('Filters: health, port, containerslots, dependency, affinity, constraint');
    expect(out).toContain('Nodes: 3');
    for (const h of th.hosts) expect(out).toContain(`${h.name}: ${h.ip}:2376`);
    expect(out).toMatch(/└ Reserved Memory: 0 B \/ [\d.]+ GiB/);
    expect(out).toContain('region=eu');
  });

  it('loads an image on every node and lists it once', async () => {
    await ok(['load', '-i', join(work, 'bb.tar')]);
    for (const h of th.hosts) {
      const r = await runCommand([CLIS[1], 'image', 'inspect', 'busybox:latest'], { env: h.env });
      expect(r.code).toBe(0);
    }
    const ls = await ok(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(ls.split('\n').filter((l) => l === 'busybox:latest')).toHaveLength(1);
    await ok(['tag', 'busybox:latest', 'busybox:sha']);
    expect(await ok(['image', 'ls', '--format', '{{.Tag}}', 'busybox'])).toContain('sha');
    await ok(['rmi', 'busybox:sha']);
    expect(await ok(['image', 'ls', '--format', '{{.Tag}}', 'busybox'])).not.toContain('sha');
  });

  it.each(CLIS)('%s runs the container life cycle', async (cli) => {
    const name = cli.includes('local') ? 'life28' : 'life20';
    const id = (
      await ok(['run', '-d', '--name', name, 'busybox', 'sh', '-c', 'echo hello; sleep 300'], cli)
    ).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const ps = await ok(['ps', '--format', '{{.Names}}'], cli);
    expect(ps).toMatch(new RegExp(`^sha-\\d/${name}$`, 'm'));
    const node = ps.match(new RegExp(`^(sha-\\d)/${name}$`, 'm'))?.[1];
    await waitFor('logs', async () => (await ok(['logs', name], cli)).includes('hello'));
    expect(await ok(['exec', name, 'echo', 'from-exec'], cli)).toBe('from-exec\n');
    expect(await ok(['exec', '-i', name, 'cat'], cli, 'via-stdin\n')).toBe('via-stdin\n');
    expect((await ok(['inspect', '-f', '{{.Node.Name}} {{.State.Running}}', name], cli)).trim()).toBe(
      `${node} true`,
    );
    expect(await ok(['inspect', '-f', '{{.Id}}', `${node}/${name}`], cli)).toContain(id);
    expect(await ok(['top', name], cli)).toContain('sleep 300');
    expect(await ok(['stats', '--no-stream', name], cli)).toContain(name);
    await ok(['cp', `${name}:/bin/busybox`, join(work, `${name}-bb`)], cli);
    expect(existsSync(join(work, `${name}-bb`))).toBe(true);
    await ok(['stop', '-t', '0', name], cli);
    expect(await ok(['ps', '-a', '--filter', `name=${name}`, '--format', '{{.Status}}'], cli)).toMatch(
      /^Exited/,
    );
    await ok(['start', name], cli);
    await ok(['rename', name, `${name}x`], cli);
    expect(await ok(['ps', '--format', '{{.Names}}'], cli)).toContain(`${node}/${name}x`);
    await ok(['rm', '-f', `${name}x`], cli);
    expect(await ok(['ps', '-a', '--format', '{{.Names}}'], cli)).not.toContain(name);
  });

  it.each(CLIS)('%s inspect shows changes made on the engine and through the manager', async (cli) => {
    // inspect answers are kept until an engine event or a change through the manager touches the container
    const name = cli.includes('local') ? 'fresh28' : 'fresh20';
    await ok(['run', '-d', '--name', name, 'busybox', 'sleep', '300'], cli);
    const node = (await ok(['inspect', '-f', '{{.Node.Name}}', name], cli)).trim();
    const host = th.hosts.find((h) => h.name === node);
    if (!host) throw new Error(`no test host named ${node}`);
    const state = async (ref = name) =>
      (
        await ok(['inspect', '-f', '{{.Name}} {{.State.Status}} {{len .NetworkSettings.Networks}}', ref], cli)
      ).trim();
    expect(await state()).toBe(`/${name} running 1`);
    expect(await state()).toBe(`/${name} running 1`);

    // stopped straight on the engine: the manager hears of it through the engine's events
    const stop = await runCommand([cli, 'stop', '-t', '0', name], { env: host.env });
    expect(stop.code).toBe(0);
    await waitFor('the manager to see the stop', async () =>
      (await ok(['ps', '-a', '--filter', `name=${name}`, '--format', '{{.Status}}'], cli)).startsWith(
        'Exited',
      ),
    );
    expect(await state()).toBe(`/${name} exited 1`);

    // changed through the manager: the very next answer shows it
    await ok(['start', name], cli);
    expect(await state()).toBe(`/${name} running 1`);
    await ok(['network', 'create', `${node}/${name}-net`], cli);
    await ok(['network', 'connect', `${node}/${name}-net`, name], cli);
    expect(await state()).toBe(`/${name} running 2`);
    await ok(['rename', name, `${name}x`], cli);
    expect(await state(`${name}x`)).toBe(`/${name}x running 2`);
    await ok(['rm', '-f', `${name}x`], cli);
    await ok(['network', 'rm', `${node}/${name}-net`], cli);
  });

  it.each(CLIS)(
    '%s attaches over a hijacked connection (run -i with stdin half-close, attach)',
    async (cli) => {
      expect(await ok(['run', '-i', '--rm', 'busybox', 'cat'], cli, 'echo-me\n')).toBe('echo-me\n');
      const name = cli.includes('local') ? 'att28' : 'att20';
      await ok(['run', '-d', '--name', name, 'busybox', 'sh', '-c', 'sleep 2; echo attached-out'], cli);
      const r = await docker(['attach', '--no-stdin', name], cli);
      expect(r.stdout).toContain('attached-out');
      await ok(['rm', '-f', name], cli);
    },
  );

  it.each(CLIS)('%s streams logs -f and node-annotated events until a deadline', async (cli) => {
    const name = cli.includes('local') ? 'follow28' : 'follow20';
    const until = String(Math.floor(Date.now() / 1000) + 6);
    const events = docker(
      ['events', '--until', until, '--format', '{{.Action}} {{index .Actor.Attributes "node.name"}}'],
      cli,
    );
    await ok(['run', '-d', '--name', name, 'busybox', 'sh', '-c', 'echo first; sleep 2; echo second'], cli);
    expect(await ok(['logs', '-f', name], cli)).toBe('first\nsecond\n');
    const ev = await events;
    expect(ev.code).toBe(0);
    expect(ev.stdout).toMatch(/^start sha-\d$/m);
    expect(ev.stdout).toMatch(/^die sha-\d$/m);
    await ok(['rm', '-f', name], cli);
  });

  it('spreads containers and honours constraints', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++)
      ids.push((await ok(['run', '-d', '--name', `spread${i}`, 'busybox', 'sleep', '300'])).trim());
    const nodes = await ok(['ps', '--filter', 'name=spread', '--format', '{{.Names}}']);
    // spread never stacks all three on one node (exact spread placement is the scheduler's own test)
    expect(
      new Set(
        nodes
          .trim()
          .split('\n')
          .map((n) => n.split('/')[0]),
      ).size,
      nodes,
    ).toBeGreaterThan(1);
    await ok([
      'run',
      '-d',
      '--name',
      'eu',
      '-c',
      '1',
      '-e',
      'constraint:region==eu',
      'busybox',
      'sleep',
      '300',
    ]);
    expect(await ok(['ps', '--filter', 'node=sha-1', '--format', '{{.Names}}'])).toContain('sha-1/eu');
    // On a cluster `-c` counts CPUs (Swarm's rule): sha-1's Reserved CPUs line says 1, not the engine's shares.
    const info = (await ok(['info'])).split('\n');
    const at = info.findIndex((l) => /^\s*sha-1: /.test(l));
    expect(info.slice(at).find((l) => l.includes('Reserved CPUs'))).toMatch(/Reserved CPUs: 1 \//);
    await ok(['rm', '-f', 'spread0', 'spread1', 'spread2', 'eu']);
  });

  it.each(CLIS)('%s manages networks and volumes', async (cli) => {
    const tag = cli.includes('local') ? '28' : '20';
    await ok(['network', 'create', `sha-1/net${tag}`], cli);
    expect(await ok(['network', 'ls', '--format', '{{.Name}}'], cli)).toContain(`sha-1/net${tag}`);
    expect(await ok(['network', 'inspect', '-f', '{{.Driver}}', `sha-1/net${tag}`], cli)).toBe('bridge\n');
    await ok(['network', 'rm', `sha-1/net${tag}`], cli);
    expect(await ok(['network', 'ls', '--format', '{{.Name}}'], cli)).not.toContain(`net${tag}`);
    await ok(['volume', 'create', `vol${tag}`], cli);
    const vols = await ok(['volume', 'ls', '--format', '{{.Name}}'], cli);
    for (const h of th.hosts) expect(vols).toContain(`${h.name}/vol${tag}`);
    await ok(['volume', 'create', `sha-2/only${tag}`], cli);
    expect(await ok(['volume', 'ls', '--format', '{{.Name}}'], cli)).toMatch(
      new RegExp(`^sha-2/only${tag}$`, 'm'),
    );
    await ok(['volume', 'rm', `vol${tag}`, `sha-2/only${tag}`], cli);
    expect(await ok(['volume', 'ls', '--format', '{{.Name}}'], cli)).not.toContain(
      tag === '28' ? 'vol28' : 'vol20',
    );
  });

  it('serves docker-compose 1.29 up, ps, scale, logs, down', async () => {
    const dir = join(work, 'compose');
    await runCommand(['mkdir', '-p', dir]);
    const file = join(dir, 'docker-compose.yml');
    await writeFile(
      file,
      'version: "2.4"\nservices:\n  web:\n    image: busybox\n    command: sh -c "echo compose-up; sleep 300"\n    network_mode: bridge\n',
    );
    // docker-py lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE (set machine-wide here) replace DOCKER_CERT_PATH's CA
    const ca = join(th.certDir, 'ca.pem');
    const composeEnv = { ...env, REQUESTS_CA_BUNDLE: ca, CURL_CA_BUNDLE: ca };
    const compose = (args: string[]) =>
      runCommand(['docker-compose', '-f', file, '-p', 'shaproj', ...args], { env: composeEnv });
    const up = await compose(['up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    expect((await compose(['ps'])).stdout).toContain('shaproj_web_1');
    const scaled = await compose(['up', '-d', '--scale', 'web=3']);
    expect(scaled.code, scaled.stderr).toBe(0);
    const ps = await ok([
      'ps',
      '--filter',
      'label=com.docker.compose.project=shaproj',
      '--format',
      '{{.Names}}',
    ]);
    expect(ps.trim().split('\n')).toHaveLength(3);
    await waitFor(
      'compose logs',
      async () => ((await compose(['logs', '--no-color'])).stdout.match(/compose-up/g) ?? []).length === 3,
    );
    expect((await compose(['down'])).code).toBe(0);
    expect(
      await ok([
        'ps',
        '-a',
        '--filter',
        'label=com.docker.compose.project=shaproj',
        '--format',
        '{{.Names}}',
      ]),
    ).toBe('');
  });

  it('serves docker-compose v2 files with a custom bridge network and a volume, on the node of the network', async () => {
    const dir = join(work, 'compose-net');
    await runCommand(['mkdir', '-p', dir]);
    const file = join(dir, 'docker-compose.yml');
    await writeFile(
      file,
      [
        'version: "2"',
        'services:',
        '  service1:',
        '    image: busybox',
        '    command: sleep 300',
        '    networks: [testn]',
        '    volumes: ["data:/data"]',
        'networks:',
        '  testn:',
        '    driver: bridge',
        'volumes:',
        '  data: {}',
        '',
      ].join('\n'),
    );
    const ca = join(th.certDir, 'ca.pem');
    const composeEnv = { ...env, REQUESTS_CA_BUNDLE: ca, CURL_CA_BUNDLE: ca };
    const compose = (args: string[]) =>
      runCommand(['docker-compose', '-f', file, '-p', 'c2', ...args], { env: composeEnv });
    // with three nodes, a container placed without regard to its network would miss it in 2 of 3 runs
    for (let round = 0; round < 4; round++) {
      const up = await compose(['up', '-d']);
      expect(up.code, `round ${round}: ${up.stderr}`).toBe(0);
      const nets = await ok(['network', 'ls', '--filter', 'name=c2_testn', '--format', '{{.Name}}']);
      const netNode = nets.trim().split('/')[0];
      const ps = await ok([
        'ps',
        '--filter',
        'label=com.docker.compose.project=c2',
        '--format',
        '{{.Names}}',
      ]);
      expect(ps.trim().split('/')[0]).toBe(netNode);
      const down = await compose(['down', '--volumes']);
      expect(down.code, down.stderr).toBe(0);
    }
  });

  it('also listens on a unix socket made 0600', async () => {
    const sock = join(work, 'manager.sock');
    expect((await stat(sock)).mode & 0o777).toBe(0o600);
    const r = await runCommand([CLIS[0], '-H', `unix://${sock}`, 'info', '--format', '{{.ServerVersion}}'], {
      env: { DOCKER_TLS_VERIFY: '' },
    });
    expect(r.stdout.trim()).toMatch(/^swarm\/1\.2\.9 \(shoal /);
  });

  it('sends no TLS session tickets: docker clients never resume, and each ticket costs the handshake', async () => {
    const [ca, cert, key] = await Promise.all(
      ['ca.pem', 'cert.pem', 'key.pem'].map((f) => readFile(join(th.certDir, f))),
    );
    const sock = tls.connect({ host: '127.0.0.1', port, ca, cert, key });
    let tickets = 0;
    sock.on('session', () => {
      tickets++;
    });
    try {
      await once(sock, 'secureConnect');
      expect(sock.getProtocol()).toBe('TLSv1.3');
      sock.write('GET /_ping HTTP/1.1\r\nHost: manager\r\n\r\n');
      const [answer] = (await once(sock, 'data')) as [Buffer];
      expect(answer.toString()).toMatch(/^HTTP\/1\.1 200/);
      // tickets follow the handshake at once; give them time to arrive
      await new Promise((r) => setTimeout(r, 300));
      expect(tickets).toBe(0);
    } finally {
      sock.destroy();
    }
  });

  it('copies into a container, diffs, exports, commits and builds on a node', async () => {
    const cli = CLIS[0];
    await ok(['run', '-d', '--name', 'arch', 'busybox', 'sleep', '300'], cli);
    await writeFile(join(work, 'in.txt'), 'copied-in\n');
    await ok(['cp', join(work, 'in.txt'), 'arch:/in.txt'], cli);
    expect(await ok(['exec', 'arch', 'cat', '/in.txt'], cli)).toBe('copied-in\n');
    expect(await ok(['diff', 'arch'], cli)).toMatch(/^A \/in\.txt$/m);
    await ok(['export', '-o', join(work, 'arch.tar'), 'arch'], cli);
    expect((await stat(join(work, 'arch.tar'))).size).toBeGreaterThan(100_000);
    await ok(['commit', 'arch', 'arch-img:1'], cli);
    expect(await ok(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], cli)).toContain('arch-img:1');
    expect((await ok(['history', '-q', 'arch-img:1'], cli)).trim().split('\n').length).toBeGreaterThan(1);
    const ctx = await mkdtemp(join(work, 'ctx-'));
    await writeFile(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo built > /built\n');
    expect(await ok(['build', '-t', 'built-img:1', ctx], cli)).toMatch(/Successfully tagged built-img:1/);
    // the image lives on the node that built it; the create lands there (image affinity)
    expect(await ok(['run', '--rm', 'built-img:1', 'cat', '/built'], cli)).toBe('built\n');
    // build args steer the build node like container constraints (docs/behaviour/expressions.md#sources)
    for (const [arg, node] of [
      ['constraint:node==sha-3', 'sha-3'],
      ['constraint:region==eu', 'sha-1'],
    ] as const) {
      await ok(['build', '--build-arg', arg, '-t', 'pinned-img:1', ctx], cli);
      for (const h of th.hosts) {
        const tags = await th.docker(h, ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']);
        expect(tags.stdout.includes('pinned-img:1'), `${arg}: pinned-img on ${h.name}`).toBe(h.name === node);
      }
      await ok(['rmi', 'pinned-img:1'], cli);
    }
    const nowhere = await docker(['build', '--build-arg', 'constraint:region==mars', ctx], cli);
    expect(nowhere.code).not.toBe(0);
    expect(nowhere.stderr).toContain('Unable to find a node that satisfies');
    await ok(['rm', '-f', 'arch'], cli);
    await ok(['rmi', 'arch-img:1', 'built-img:1'], cli);
    expect(await ok(['image', 'ls', '--format', '{{.Repository}}'], cli)).not.toMatch(/arch-img|built-img/);
  });

  it('serves dockerode', async () => {
    const [ca, cert, key] = await Promise.all(
      ['ca.pem', 'cert.pem', 'key.pem'].map((f) => readFile(join(th.certDir, f))),
    );
    const d = new Docker({ host: '127.0.0.1', port, protocol: 'https', ca, cert, key });
    expect(String(await d.ping())).toBe('OK');
    const c = await d.createContainer({ Image: 'busybox', Cmd: ['sleep', '300'], name: 'dode' });
    await c.start();
    const info = (await c.inspect()) as unknown as { Node: { Name: string }; State: { Running: boolean } };
    expect(info.State.Running).toBe(true);
    expect(info.Node.Name).toMatch(/^sha-\d$/);
    const list = await d.listContainers({ filters: { name: ['dode'] } });
    expect(list[0]?.Names[0]).toBe(`/${info.Node.Name}/dode`);
    await c.remove({ force: true });
  });

  it('answers bad requests with the Engine statuses and keeps running', async () => {
    const bad = await api('POST', '/v1.41/containers/create', '{not json');
    expect(bad.status).toBe(400);
    const missing = await api('GET', '/v1.41/containers/no-such-thing/json');
    expect(missing.status).toBe(404);
    // Swarm's own wording for an inspect (the engine's has a colon)
    expect(JSON.parse(missing.text).message).toBe('No such container no-such-thing');
    await ok(['run', '-d', '--name', 'taken', 'busybox', 'sleep', '300']);
    const dup = await api('POST', '/v1.41/containers/create?name=taken', '{"Image":"busybox"}');
    expect(dup.status).toBe(409);
    expect(JSON.parse(dup.text).message).toContain('is already assigned');
    const impossible = await api(
      'POST',
      '/v1.41/containers/create',
      '{"Image":"busybox","Env":["constraint:region==mars"]}',
    );
    expect(impossible.status).toBe(500);
    expect(JSON.parse(impossible.text).message).toContain('Unable to find a node that satisfies');
    expect((await api('GET', '/v1.41/services')).status).toBe(404);
    expect((await api('GET', '/images/viz')).status).toBe(501);
    const r = await docker(['run', '-d', '--name', 'taken', 'busybox', 'sleep', '1'], CLIS[0]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('is already assigned');
    await ok(['rm', '-f', 'taken']);
    const made = await api('POST', '/v1.41/containers/create?name=timed', '{"Image":"busybox"}');
    expect(made.status).toBe(201);
    // where the create's time went: the scheduling step and the engine call, each a duration in ms
    expect(made.headers['server-timing']).toMatch(/^schedule;dur=\d+\.\d{3}, engine;dur=\d+\.\d{3}$/);
    expect((await api('DELETE', '/v1.41/containers/timed')).status).toBe(204);
    expect((await api('GET', '/v1.41/info')).headers['server-timing']).toMatch(/^render;dur=\d+\.\d{3}$/);
    expect((await api('HEAD', '/_ping')).status).toBe(200);
    expect(manager?.exitCode).toBeNull();
  });
});
