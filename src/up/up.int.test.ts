/**
 * The tutorial's whole cluster, for real: ONE `shoal up` (KV host with 3 etcd members and the registry mirror,
 * master1 + master2 replicated, node1) on 10.236.0.0/24 with prefix `shu`, then the tutorial's checks and failures
 * through the docker CLI, and `shoal down` leaving no trace. Tests run in order and share the cluster.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepPrefix } from '../machine/drivers/netns/index.js';
import { DEFAULT_DOCKER_CLI, type RunResult, runCommand } from '../testkit/hosts.js';

const PREFIX = 'shu';
const SUBNET = '10.236.0.0/24';
const CLI = resolve(import.meta.dirname, '../../dist/cli/main.js');

let store = '';
const ip: Record<string, string> = {};

function shoal(...args: string[]): Promise<RunResult> {
  return runCommand(['node', CLI, ...args], { env: { SHOAL_STORAGE_PATH: store } });
}

function engineEnv(host: string): Record<string, string> {
  return {
    DOCKER_HOST: `tcp://${ip[host]}:2376`,
    DOCKER_TLS_VERIFY: '1',
    DOCKER_CERT_PATH: join(store, 'machines', host),
  };
}

function managerEnv(host: string): Record<string, string> {
  return { ...engineEnv(host), DOCKER_HOST: `tcp://${ip[host]}:3376` };
}

/** docker CLI through a host's manager (`swarm`) or straight to its engine. */
function docker(host: string, args: string[], via: 'swarm' | 'engine' = 'swarm'): Promise<RunResult> {
  return runCommand([DEFAULT_DOCKER_CLI, ...args], {
    env: via === 'swarm' ? managerEnv(host) : engineEnv(host),
  });
}

async function info(host: string): Promise<Record<string, string>> {
  const r = await docker(host, ['info', '--format', '{{json .SystemStatus}}']);
  if (r.code !== 0) return {};
  const pairs = JSON.parse(r.stdout) as [string, string][] | null;
  return Object.fromEntries((pairs ?? []).map(([k, v]) => [k.trim(), v]));
}

/** Polls `check` every 250 ms until it is true or `limitMs` passes; returns whether it became true. */
async function eventually(check: () => Promise<boolean>, limitMs = 60_000): Promise<boolean> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

async function primaryHost(): Promise<string> {
  for (const h of ['master1', 'master2']) if ((await info(h)).Role === 'primary') return h;
  throw new Error('no primary');
}

// Run inside a host's namespaces: connects to argv[1]:argv[2] as a TLS client without a certificate, sends a plain
// request and prints 'answered' when an HTTP status line comes back, else 'refused' (handshake failure, or the
// connection closed on the request).
const PROBE = `
const tls = require('node:tls');
const [addr, port] = process.argv.slice(1);
let data = '';
const s = tls.connect({ host: addr, port: Number(port), rejectUnauthorized: false }, () => {
  s.write('GET /version HTTP/1.1\\r\\nHost: ' + addr + '\\r\\nConnection: close\\r\\n\\r\\n');
});
s.setTimeout(10000, () => s.destroy());
s.on('data', (b) => { data += b.toString(); });
s.on('error', () => undefined);
s.on('close', () => console.log(/^HTTP\\/1\\.[01] \\d{3}/.test(data) ? 'answered' : 'refused'));
`;

/**
 * What a TLS client without a certificate gets from `addr:port`, connecting from inside namespace `ns` (so loopback
 * listeners are reached too).
 */
async function tlsWithoutCert(ns: string, addr: string, port: number): Promise<string> {
  const r = await runCommand(['ip', 'netns', 'exec', ns, 'node', '-e', PROBE, addr, String(port)]);
  return r.stdout.trim() || `probe failed: ${r.stderr.trim()}`;
}

/** `addr:port` of every listening TCP (or bound UDP) socket in namespace `ns` (root when undefined), with owners. */
async function listeners(
  ns?: string,
  proto: 'tcp' | 'udp' = 'tcp',
): Promise<{ addr: string; port: number; users: string }[]> {
  const argv = ['ss', proto === 'tcp' ? '-ltnpH' : '-lunpH'];
  const r = await runCommand(ns ? ['ip', 'netns', 'exec', ns, ...argv] : argv);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const f = l.trim().split(/\s+/);
      const local = f[3] ?? '';
      const i = local.lastIndexOf(':');
      return {
        addr: local
          .slice(0, i)
          .replace(/^\[|\]$/g, '')
          .replace(/%.*$/, ''),
        port: Number(local.slice(i + 1)),
        users: f.slice(5).join(' '),
      };
    });
}

beforeAll(async () => {
  await sweepPrefix(PREFIX);
  store = await mkdtemp(join(tmpdir(), 'shoal-shu-'));
  const r = await shoal('up', '--prefix', PREFIX, '--subnet', SUBNET);
  if (r.code !== 0) throw new Error(`shoal up failed:\n${r.stdout}\n${r.stderr}`);
  const s = JSON.parse((await shoal('status', '--json')).stdout) as { hosts: { name: string; ip: string }[] };
  for (const h of s.hosts) ip[h.name] = h.ip;
});

afterAll(async () => {
  if (store) {
    await shoal('down');
    await sweepPrefix(PREFIX).catch(() => undefined);
    await rm(store, { recursive: true, force: true });
  }
});

describe('shoal up: the tutorial cluster', () => {
  it('docker info through master1 says primary with Nodes: 3, all healthy', async () => {
    const i = await info('master1');
    expect(i.Role).toBe('primary');
    expect(i.Nodes).toBe('3');
    const r = await docker('master1', ['info']);
    expect(r.stdout).toMatch(/Strategy: spread/);
    expect(r.stdout.match(/Status: Healthy/g)?.length).toBe(3);
  });

  it("docker info through master2 says replica with the primary's address", async () => {
    const i = await info('master2');
    expect(i.Role).toBe('replica');
    expect(i.Primary).toBe(`${ip.master1}:3376`);
  });

  it('docker run through the replica pulls busybox from the mirror and streams its output', async () => {
    const r = await docker('master2', [
      'run',
      '--rm',
      '-e',
      'constraint:node==node1',
      'busybox',
      'sh',
      '-c',
      'echo hi-$(hostname)',
    ]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.stdout.trim()).toMatch(/^hi-/);
    const logs = await docker('master2', [
      'run',
      '-d',
      '--name',
      'shu-logs',
      'busybox',
      'sh',
      '-c',
      'echo line1; echo line2',
    ]);
    expect(logs.code).toBe(0);
    expect(
      await eventually(
        async () => (await docker('master2', ['logs', '-f', 'shu-logs'])).stdout === 'line1\nline2\n',
      ),
    ).toBe(true);
    const exec = await docker('master2', ['run', '-d', '--name', 'shu-exec', 'busybox', 'sleep', '600']);
    expect(exec.code).toBe(0);
    const ex = await runCommand(
      [DEFAULT_DOCKER_CLI, 'exec', '-i', 'shu-exec', 'sh', '-c', 'read x; echo got:$x'],
      {
        env: managerEnv('master2'),
        input: 'ping\n',
      },
    );
    expect(ex.stdout).toBe('got:ping\n');
  });

  it('every host pulls busybox from the registry mirror with no internet', async () => {
    for (const h of ['master1', 'master2', 'node1']) {
      const r = await docker(h, ['pull', 'busybox'], 'engine');
      expect(r.code, `${h}: ${r.stderr}`).toBe(0);
    }
  });

  it('an overlay network made through the manager spans node1 and master2; ping by name', async () => {
    const net = await docker('master1', ['network', 'create', '-d', 'overlay', 'shu-ov']);
    expect(net.code, net.stderr).toBe(0);
    const a = await docker('master1', [
      'run',
      '-d',
      '--name',
      'ov-a',
      '--net',
      'shu-ov',
      '-e',
      'constraint:node==node1',
      'busybox',
      'sleep',
      '600',
    ]);
    expect(a.code, a.stderr).toBe(0);
    const b = await docker('master1', [
      'run',
      '--rm',
      '--net',
      'shu-ov',
      '-e',
      'constraint:node==master2',
      'busybox',
      'ping',
      '-c',
      '2',
      'ov-a',
    ]);
    expect(b.stdout, b.stderr).toMatch(/2 packets received/);
  });

  it('every listening socket of every host refuses a client without a certificate, or is open on purpose', async () => {
    // Open on purpose: the registry mirror (pulls only: a push is refused), dockerd's overlay gossip (serf, no
    // authentication in dockerd 20.10; on the host's bridge address only), and loopback-only sockets.
    const mirror = `http://${ip.kv}:5000`;
    const push = await fetch(`${mirror}/v2/library/evil/blobs/uploads/`, { method: 'POST' });
    expect(push.status).toBeGreaterThanOrEqual(400);
    expect((await fetch(`${mirror}/v2/library/busybox/manifests/latest`, { method: 'HEAD' })).status).toBe(
      200,
    );
    // Loopback sockets inside a host are probed from inside it, like the others.
    const open = new Set([5000, 7946]);
    // UDP, open on purpose: serf gossip (7946) and the kernel's VXLAN socket of overlay networks (4789).
    const openUdp = new Set([7946, 4789]);
    const checked: string[] = [];
    for (const host of ['kv', 'master1', 'master2', 'node1']) {
      const ns = `${PREFIX}-${host}`;
      for (const l of await listeners(ns)) {
        const target = l.addr === '0.0.0.0' || l.addr === '*' || l.addr === '::' ? ip[host]! : l.addr;
        const what = `${host} ${l.addr}:${l.port} ${l.users}`;
        if (open.has(l.port)) {
          checked.push(`${what}: open on purpose`);
          continue;
        }
        expect(await tlsWithoutCert(ns, target, l.port), what).toBe('refused');
        checked.push(`${what}: refused`);
      }
      for (const l of await listeners(ns, 'udp')) {
        expect(openUdp.has(l.port), `${host} udp ${l.addr}:${l.port} ${l.users}`).toBe(true);
        checked.push(`${host} udp ${l.addr}:${l.port} ${l.users}: open on purpose`);
      }
    }
    console.log(`listeners checked:\n${checked.join('\n')}`);
    // the engines (2376), the managers (3376) and the etcd members' client and peer ports were all seen
    for (const port of [2376, 3376, 2379, 2380, 12379, 12380, 22379, 22380]) {
      expect(
        checked.some((c) => c.includes(`:${port} `)),
        `${port} in ${checked.join('\n')}`,
      ).toBe(true);
    }
    // nothing of this cluster listens in the root namespace
    const mine: string[] = [];
    for (const l of await listeners()) {
      for (const m of l.users.matchAll(/pid=(\d+)/g)) {
        const cmd = await readFile(`/proc/${m[1]}/cmdline`, 'utf8').catch(() => '');
        if (cmd.includes(store)) mine.push(`${l.addr}:${l.port} ${cmd.replaceAll('\0', ' ')}`);
      }
    }
    expect(mine).toEqual([]);
  });

  it('stopping one etcd member keeps the cluster scheduling', async () => {
    const { kvCluster } = await import('./up.js');
    const { loadUpState } = await import('./state.js');
    const st = await loadUpState(store);
    const kv = kvCluster(store, st!.spec, st!.kvIp);
    expect(await kv.stopMember(1)).toBe(true);
    try {
      const r = await docker('master1', ['run', '-d', '--name', 'kv-down', 'busybox', 'sleep', '60']);
      expect(r.code, r.stderr).toBe(0);
      expect((await info('master2')).Role).toBe('replica');
    } finally {
      // Bring the member back for the later tests (one retry: a restart racing raft's peer reconnects can exit).
      await kv.startMember(1).catch(() => kv.startMember(1));
    }
  });

  it('a stopped agent makes its node leave after the TTL; it comes back with the agent', async () => {
    expect((await docker('node1', ['stop', '-t', '1', 'shoal-agent'], 'engine')).code).toBe(0);
    expect(await eventually(async () => (await info('master1')).Nodes === '2')).toBe(true);
    expect((await docker('node1', ['start', 'shoal-agent'], 'engine')).code).toBe(0);
    expect(await eventually(async () => (await info('master1')).Nodes === '3')).toBe(true);
  });

  it('shoal machine stop/start: the engine brings the agent back and the node rejoins', async () => {
    expect((await shoal('machine', 'stop', 'node1')).code).toBe(0);
    expect(await eventually(async () => (await info('master1')).Nodes === '2')).toBe(true);
    expect((await shoal('machine', 'start', 'node1')).code).toBe(0);
    expect(await eventually(async () => (await info('master1')).Nodes === '3')).toBe(true);
    const ps = await docker('node1', ['ps', '--format', '{{.Names}}'], 'engine');
    expect(ps.stdout).toContain('shoal-agent');
  });

  it('killing the primary: the replica takes over and serves; no create in flight lands twice; the old primary rejoins as replica', async () => {
    const p = await primaryHost();
    const r2 = p === 'master1' ? 'master2' : 'master1';
    // Creates through the replica keep flowing while the primary dies.
    let stop = false;
    const outcomes: { name: string; ok: boolean }[] = [];
    const flood = (async () => {
      for (let n = 0; !stop && n < 200; n++) {
        const name = `inflight-${n}`;
        const r = await docker(r2, ['create', '--name', name, 'busybox', 'true']);
        outcomes.push({ name, ok: r.code === 0 });
      }
    })();
    await new Promise((r) => setTimeout(r, 1500));
    expect((await docker(p, ['kill', 'shoal-agent-master'], 'engine')).code).toBe(0);
    expect(await eventually(async () => (await info(r2)).Role === 'primary', 30_000)).toBe(true);
    const run = await docker(r2, ['run', '--rm', 'busybox', 'echo', 'after-failover']);
    expect(run.stdout).toBe('after-failover\n');
    await new Promise((r) => setTimeout(r, 1000));
    stop = true;
    await flood;

    const seen = new Map<string, number>();
    for (const h of ['master1', 'master2', 'node1']) {
      const ps = await docker(
        h,
        ['ps', '-a', '--filter', 'name=inflight-', '--format', '{{.Names}}'],
        'engine',
      );
      for (const n of ps.stdout.split('\n').filter(Boolean)) seen.set(n, (seen.get(n) ?? 0) + 1);
    }
    expect([...seen.values()].every((c) => c === 1)).toBe(true);
    for (const o of outcomes.filter((x) => x.ok)) expect(seen.get(o.name), o.name).toBe(1);
    expect(outcomes.filter((o) => o.ok).length).toBeGreaterThan(0);

    expect((await docker(p, ['start', 'shoal-agent-master'], 'engine')).code).toBe(0);
    expect(
      await eventually(async () => {
        const i = await info(p);
        return i.Role === 'replica' && i.Primary === `${ip[r2]}:3376`;
      }),
    ).toBe(true);
    expect((await docker(p, ['run', '--rm', 'busybox', 'echo', 'via-new-replica'])).stdout).toBe(
      'via-new-replica\n',
    );
  });

  it('shoal up repairs: a killed agent (not restarted by its policy) is started again', async () => {
    expect((await docker('node1', ['kill', 'shoal-agent'], 'engine')).code).toBe(0);
    const r = await shoal('up', '--prefix', PREFIX, '--subnet', SUBNET);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/starting shoal-agent on node1/);
    expect(r.stdout).toMatch(/Node node1: done/);
    expect((await info('master2')).Nodes).toBe('3');
  });

  it('shoal up repairs: a removed manager container is created again', async () => {
    expect((await docker('master2', ['rm', '-f', 'shoal-agent-master'], 'engine')).code).toBe(0);
    const r = await shoal('up', '--prefix', PREFIX, '--subnet', SUBNET);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/re-creating the swarm containers on master2 \(shoal-agent-master is gone\)/);
    const running = await docker(
      'master2',
      ['inspect', '-f', '{{.State.Running}}', 'shoal-agent-master'],
      'engine',
    );
    expect(running.stdout.trim()).toBe('true');
    expect((await info('master2')).Nodes).toBe('3');
  });

  it('shoal up again changes nothing', async () => {
    const before = await docker('master2', ['ps', '-a', '-q']);
    const r = await shoal('up', '--prefix', PREFIX, '--subnet', SUBNET);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/already up, nothing changed/);
    expect(r.stdout).not.toMatch(/: done \(/);
    expect((await docker('master2', ['ps', '-a', '-q'])).stdout).toBe(before.stdout);
  });

  it('shoal down leaves no namespaces, links, iptables rules, processes or files', async () => {
    const r = await shoal('down');
    expect(r.code, r.stderr).toBe(0);
    expect((await runCommand(['ip', 'netns', 'list'])).stdout).not.toMatch(/shu-/);
    expect((await runCommand(['ip', '-o', 'link', 'show'])).stdout).not.toMatch(/ shu[bvp][0-9a-f]{8}/);
    expect((await runCommand(['iptables-save'])).stdout).not.toMatch(/shub[0-9a-f]{8}/);
    expect((await runCommand(['ps', '-eo', 'args'])).stdout).not.toContain(store);
    expect(await readdir(join(store, 'machines')).catch(() => [])).toEqual([]);
    expect(await readdir(store)).not.toContain('up');
    expect(await readdir(store)).not.toContain('cache');
  });
});
