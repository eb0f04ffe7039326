import 'reflect-metadata';
import { chmod, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsDriverFactory, sweepPrefix } from '../machine/drivers/netns/index.js';
import { MachineService } from '../machine/machine-service.js';
import { runCommand } from '../testkit/hosts.js';

// `shoal machine` end to end with the netns driver, through the built CLI (dist/), as a user would run it.
// Prefix shn2 / subnet 10.232.2.0/24 keep it apart from the other netns suites.
const MAIN = resolve(import.meta.dirname, '../../dist/cli/main.js');
const NETNS = ['--netns-prefix', 'shn2', '--netns-subnet', '10.232.2.0/24'];
const BRIDGE = 'shn2b0ae80200';
let store: string;

function shoal(args: string[], env: Record<string, string> = {}) {
  return runCommand([process.execPath, MAIN, 'machine', ...args], {
    env: { SHOAL_STORAGE_PATH: store, ...env },
  });
}

/** Netns names, links, FORWARD rules, processes and files that still carry `name` (or the test's bridge). */
async function traces(name: string): Promise<string[]> {
  const found: string[] = [];
  if ((await runCommand(['ip', 'netns', 'list'])).stdout.includes(`shn2-${name}`)) found.push('netns');
  // m1 holds 10.232.2.2 (veth shn2v0ae80202); any other shn2 veth is a leftover
  const links = (await runCommand(['ip', '-o', 'link'])).stdout.match(/shn2v[0-9a-f]{8}/g) ?? [];
  for (const l of links) if (name === 'm1' || l !== 'shn2v0ae80202') found.push(`link ${l}`);
  const dir = join(store, 'machines', name);
  if (await stat(dir).catch(() => undefined)) found.push(`dir ${dir}`);
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(dir)) found.push(`process ${pid}`);
  }
  return found;
}

beforeAll(async () => {
  await sweepPrefix('shn2');
  store = await mkdtemp(join(tmpdir(), 'shoal-shn2-'));
});

afterAll(async () => {
  const svc = new MachineService({ storePath: store, drivers: new Map([['netns', netnsDriverFactory]]) });
  for (const n of await svc.store.list().catch(() => [] as string[])) {
    await svc.remove(n, { force: true }).catch(() => undefined);
  }
  await sweepPrefix('shn2');
  await rm(store, { recursive: true, force: true });
});

describe('shoal machine with the netns driver', () => {
  let ip = '';

  it('create -d netns --engine-label env=test m1, then docker info through `env` shows Name m1 and the label', async () => {
    const c = await shoal(['create', '-d', 'netns', '--engine-label', 'env=test', ...NETNS, 'm1']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/namespaces/i);
    expect(c.stdout).toMatch(/Waiting for the engine API/);
    expect(c.stdout).toMatch(/Machine "m1" created/);
    ip = (await shoal(['ip', 'm1'])).stdout.trim();
    expect(ip).toBe('10.232.2.2');
    for (const cli of ['/usr/bin/docker', '/usr/local/bin/docker']) {
      const script = `eval "$("${process.execPath}" "${MAIN}" machine env m1)" && ${cli} info --format '{{.Name}} {{json .Labels}}'`;
      const r = await runCommand(['bash', '-c', script], { env: { SHOAL_STORAGE_PATH: store } });
      expect(r.code, r.stderr).toBe(0);
      const [name, labels] = r.stdout.trim().split(' ');
      expect(name).toBe('m1');
      expect(JSON.parse(labels!)).toEqual(expect.arrayContaining(['env=test', 'provider=netns']));
    }
  });

  it('ls shows m1 Running at tcp://IP:2376, also from a new process', async () => {
    const r = await shoal(['ls']);
    expect(r.code, r.stderr).toBe(0);
    const row = r.stdout.split('\n').find((l) => l.startsWith('m1 '));
    expect(row).toMatch(
      new RegExp(`^m1\\s+-?\\s*netns\\s+Running\\s+tcp://${ip.replaceAll('.', '\\.')}:2376`),
    );
    expect((await shoal(['status', 'm1'])).stdout.trim()).toBe('Running');
    expect((await shoal(['url', 'm1'])).stdout.trim()).toBe(`tcp://${ip}:2376`);
  });

  it('ssh runs a command inside the host (own hostname, eth1, engine socket)', async () => {
    const r = await shoal([
      'ssh',
      'm1',
      'hostname; cat /sys/class/net/eth1/operstate; docker info --format {{.Name}}',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['m1', 'up', 'm1']);
  });

  it('stop, start and restart keep the host usable', async () => {
    expect((await shoal(['stop', 'm1'])).code).toBe(0);
    expect((await shoal(['status', 'm1'])).stdout.trim()).toBe('Stopped');
    const start = await shoal(['start', 'm1']);
    expect(start.code, start.stderr).toBe(0);
    expect((await shoal(['status', 'm1'])).stdout.trim()).toBe('Running');
  });

  const bad: [string, string[], RegExp, Record<string, string>?][] = [
    ['a duplicate name', ['create', '-d', 'netns', ...NETNS, 'm1'], /already exists/],
    ['an invalid name', ['create', '-d', 'netns', ...NETNS, 'bad_name'], /Invalid machine name/],
    ['an unknown driver', ['create', '-d', 'nope', 'x1'], /Driver "nope" not found/],
    ['an unknown flag', ['create', '-d', 'netns', '--no-such-flag', 'x1'], /unknown option/],
    [
      'a mirror that is not a URL',
      ['create', '-d', 'netns', '--engine-registry-mirror', 'notaurl', ...NETNS, 'x1'],
      /registry-mirror/,
    ],
    [
      'a subnet with host bits',
      ['create', '-d', 'netns', '--netns-subnet', '10.232.2.5/24', 'x1'],
      /host bits/,
    ],
    ['a bad prefix', ['create', '-d', 'netns', '--netns-prefix', 'BAD', 'x1'], /--netns-prefix/],
    [
      'a missing dockerd',
      ['create', '-d', 'netns', '--netns-dockerd', '/nonexistent/dockerd', ...NETNS, 'x1'],
      /dockerd not found/,
    ],
    [
      'an engine option dockerd rejects',
      ['create', '-d', 'netns', '--engine-opt', 'no-such-flag=1', ...NETNS, 'x1'],
      /unknown flag: --no-such-flag/,
    ],
  ];
  it.each(bad)('refuses %s with one line, a non-zero exit and nothing left', async (_what, args, reason) => {
    const r = await shoal(args);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toMatch(reason);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const name = args.at(-1)!;
    if (name !== 'm1') expect(await traces(name)).toEqual([]);
  });

  it('refuses a user who is not root, leaving no machine', async () => {
    const own = await mkdtemp(join(tmpdir(), 'shoal-shn2-nobody-'));
    try {
      await chmod(own, 0o777);
      const r = await runCommand([
        'setpriv',
        '--reuid=nobody',
        '--regid=nogroup',
        '--clear-groups',
        // read access to the checkout whatever its permissions (CI may clone under a 0700 home); still not root
        '--inh-caps=+dac_read_search',
        '--ambient-caps=+dac_read_search',
        process.execPath,
        MAIN,
        'machine',
        '-s',
        own,
        'create',
        '-d',
        'netns',
        ...NETNS,
        'n1',
      ]);
      expect(r.code).toBe(3);
      expect(r.stderr.trim()).toMatch(/^Error: The netns driver needs root/);
      expect(await stat(join(own, 'machines', 'n1')).catch(() => 'none')).toBe('none');
      expect((await runCommand(['ip', 'netns', 'list'])).stdout).not.toContain('shn2-n1');
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });

  it('rm -y m1 leaves no namespace, link, iptables rule, process or file of m1', async () => {
    const r = await shoal(['rm', '-y', 'm1']);
    expect(r.code, r.stderr).toBe(0);
    expect(await traces('m1')).toEqual([]);
    expect((await runCommand(['ip', '-o', 'link'])).stdout).not.toContain(BRIDGE);
    expect((await runCommand(['iptables', '-S'])).stdout).not.toContain(BRIDGE);
    expect(await stat(join('/run/shoal/ns', 'shn2-m1')).catch(() => 'none')).toBe('none');
    expect((await shoal(['ls', '-q'])).stdout.trim()).toBe('');
  });
});
