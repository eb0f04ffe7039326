import 'reflect-metadata';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../host/run.js';
import { importBusybox } from '../../images/busybox.js';
import type { Driver } from '../../machine/driver.js';
import { tcpProbe } from '../../machine/drivers/generic/index.js';
import { netnsDriverFactory, sweepPrefix } from '../../machine/drivers/netns/index.js';
import { MachineService } from '../../machine/machine-service.js';
import { managerView } from '../manager-info.js';
import { memberHealthy } from './etcd-member.js';
import { loadHostsFile } from './hosts-file.js';
import { remotePlan } from './plan.js';
import { remoteDown } from './remote-down.js';
import { RemoteShell } from './remote-shell.js';
import { loadRemoteState } from './remote-state.js';
import { remoteStatus } from './remote-status.js';
import { RemoteUp } from './remote-up.js';

// `shoal up -f hosts.json` over the real SSH path. Each "remote" host is a netns machine (network namespace and a
// bridge address, no engine) running sshd in a private mount namespace whose /etc/docker, /var/lib, /run and
// /var/log are tmpfs: what up writes there never touches this machine's files. r2 and r3 cannot run this
// machine's etcd (a bind mount of /dev/null hides it), so up ships the binary to them over SFTP.
// r1 and r2 run a kv member and a manager, r3 a kv member and an agent.
const PREFIX = 'shs';
const SUBNET = '10.254.0.0/24';
const NAMES = ['r1', 'r2', 'r3'] as const;
const dir = mkdtempSync(join(tmpdir(), 'shs-up-'));
const storePath = join(dir, 'store');
const hostsFile = join(dir, 'hosts.json');
const hosts = new Map<string, { driver: Driver; ip: string; sshd?: ChildProcess; log: string }>();
const lines: string[] = [];

function writeHostsFile(
  path: string,
  patch: (h: Record<string, unknown>) => Record<string, unknown> = (h) => h,
) {
  const roles: Record<string, string[]> = {
    r1: ['kv', 'manager'],
    r2: ['kv', 'manager'],
    r3: ['kv', 'node'],
  };
  const file = {
    hosts: NAMES.map((name) =>
      patch({
        name,
        driver: 'generic',
        ip: hosts.get(name)?.ip,
        sshUser: 'root',
        sshKey: 'user_key',
        roles: roles[name],
      }),
    ),
    storageDriver: 'vfs',
    labels: ['site=shs'],
  };
  writeFileSync(path, JSON.stringify(file, null, 2));
}

async function startSshd(name: string): Promise<void> {
  const h = hosts.get(name)!;
  const cfg = join(dir, `sshd_config_${name}`);
  writeFileSync(
    cfg,
    [
      `ListenAddress ${h.ip}`,
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, `sshd_${name}.pid`)}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'StrictModes no',
      'UsePAM no',
      `Subsystem sftp internal-sftp`,
      '',
    ].join('\n'),
  );
  const script = join(dir, `sshd_${name}.sh`);
  writeFileSync(
    script,
    [
      'set -e',
      'mkdir -p /etc/docker',
      'for d in /etc/docker /var/lib /run /var/log; do mount -t tmpfs tmpfs "$d"; done',
      ...(name === 'r1' ? [] : ['mount --bind /dev/null "$(command -v etcd)"']),
      'mkdir -p /run/sshd',
      `exec /usr/sbin/sshd -D -e -f ${cfg}`,
      '',
    ].join('\n'),
  );
  const argv = await h.driver.shellArgv([
    'unshare',
    '--mount',
    '--propagation',
    'private',
    '/bin/sh',
    script,
  ]);
  h.sshd = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  h.sshd.stderr?.on('data', (d: Buffer) => {
    h.log += d.toString();
  });
  for (let i = 0; i < 100 && !(await tcpProbe(h.ip, 22, 500)); i++)
    await new Promise((r) => setTimeout(r, 100));
}

const svc = new MachineService({ storePath });
const shell = async (name: string, script: string) => {
  const spec = await loadHostsFile(hostsFile);
  return new RemoteShell(spec.hosts.find((h) => h.name === name)!).run(script);
};
const dockerEnv = (name: string, port: number) => ({
  ...process.env,
  DOCKER_HOST: `tcp://${hosts.get(name)?.ip}:${port}`,
  DOCKER_TLS_VERIFY: '1',
  DOCKER_CERT_PATH: svc.store.machineDir(name),
});
const docker = (name: string, args: string[], port = 3376) =>
  run(['/usr/bin/docker', ...args], { allowFail: true, env: dockerEnv(name, port) });

beforeAll(async () => {
  await sweepPrefix(PREFIX);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'user_key')]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_key.pub')));
  for (const name of NAMES) {
    const machineDir = join(dir, 'hosts', name);
    mkdirSync(machineDir, { recursive: true });
    const driver = netnsDriverFactory.fromFlags(
      { machineName: name, machineDir, storePath: dir, progress: () => undefined },
      { 'netns-prefix': PREFIX, 'netns-subnet': SUBNET },
    );
    await driver.preCreateCheck();
    await driver.create();
    hosts.set(name, { driver, ip: await driver.ip(), log: '' });
    await startSshd(name);
  }
  writeHostsFile(hostsFile);
}, 120_000);

afterAll(async () => {
  try {
    if (await loadRemoteState(storePath)) await remoteDown(storePath).catch(() => undefined);
  } finally {
    for (const h of hosts.values()) {
      if (h.sshd && h.sshd.exitCode === null) h.sshd.kill('SIGTERM');
      await h.driver.remove().catch(() => undefined); // kills every process of the host (sshd, dockerd, etcd)
    }
    await sweepPrefix(PREFIX);
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

describe('shoal up -f hosts.json over SSH', () => {
  it('refuses before changing anything when a host fails preflight, naming it', async () => {
    const bad = join(dir, 'bad.json');
    writeHostsFile(bad, (h) => (h.name === 'r2' ? { ...h, sshPort: 2222 } : h));
    const spec = await loadHostsFile(bad);
    const err = await new RemoteUp({ storePath }).up(spec).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toContain('Preflight');
    expect(err?.message).toContain(
      `r2 (${hosts.get('r2')?.ip}): cannot reach root@${hosts.get('r2')?.ip}:2222`,
    );
    expect(err?.message).not.toContain('r1 (');
    expect((await shell('r1', 'test -e /var/lib/shoal && echo made')).stdout).toBe('');
    expect(await loadRemoteState(storePath)).toBeUndefined();
    // the command line says the same and exits non-zero
    const cli = await run([join(process.cwd(), 'shoal'), 'up', '-s', storePath, '-f', bad], {
      allowFail: true,
    });
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain(`r2 (${hosts.get('r2')?.ip}): cannot reach`);
  }, 60_000);

  it('builds the cluster: etcd on every kv host (shipped where missing), two managers, an agent', async () => {
    for (const [name, h] of hosts) expect(await tcpProbe(h.ip, 22, 2000), `${name}: ${h.log}`).toBe(true);
    const spec = await loadHostsFile(hostsFile);
    const res = await new RemoteUp({ storePath, progress: (l) => lines.push(l) }).up(spec);
    expect(res.changed).toBe(true);
    const ips = NAMES.map((n) => hosts.get(n)?.ip);
    expect(res.discovery).toBe(`etcd://${ips.map((ip) => `${ip}:2379`).join(',')}`);
    expect([`${ips[0]}:3376`, `${ips[1]}:3376`]).toContain(res.primary);
    // r1 runs its own etcd, r2 and r3 the shipped copy, each under a supervisor (no systemd here)
    expect((await shell('r1', 'test -e /var/lib/shoal/etcd/bin/etcd || echo own')).stdout.trim()).toBe('own');
    for (const n of ['r2', 'r3']) {
      const r = await shell(n, '/var/lib/shoal/etcd/bin/etcd --version | head -n 1');
      expect(r.stdout).toMatch(/etcd Version/);
    }
    // mutual TLS: a client without a certificate is refused
    const plain = await run(['curl', '-sk', '-m', '5', `https://${ips[0]}:2379/health`], { allowFail: true });
    expect(plain.stdout).not.toContain('"health":"true"');
  }, 400_000);

  it('answers docker info through either manager', async () => {
    const roles: string[] = [];
    for (const m of ['r1', 'r2']) {
      const r = await docker(m, ['info']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Nodes: 3');
      expect(r.stdout).toMatch(/site=shs/);
      roles.push(/Role: (\w+)/.exec(r.stdout)?.[1] ?? '');
    }
    expect(roles.sort()).toEqual(['primary', 'replica']);
    const st = await remoteStatus(storePath);
    expect(st.kv.map((m) => m.reachable)).toEqual([true, true, true]);
    expect(st.hosts.map((h) => `${h.name}:${h.role}:${h.state}:${h.engine}`).sort()).toEqual([
      'r1:manager:Running:ok',
      'r2:manager:Running:ok',
      'r3:node:Running:ok',
    ]);
    expect(st.hosts.find((h) => h.manager === 'primary')?.nodes).toBe('3/3');
    expect(st.primary).toMatch(/:3376$/);
  }, 60_000);

  it('changes nothing on a second up', async () => {
    const res = await new RemoteUp({ storePath }).up(await loadHostsFile(hostsFile));
    expect(res.steps.filter((s) => s.changed).map((s) => s.step)).toEqual([]);
    expect(res.changed).toBe(false);
  }, 180_000);

  it('restarts an etcd member that dies', async () => {
    const before = (await shell('r3', 'cat /var/lib/shoal/etcd/etcd.pid')).stdout.trim();
    expect(before).toMatch(/^\d+$/);
    await shell('r3', `kill -9 ${before}`);
    const plan = remotePlan(await loadHostsFile(hostsFile));
    const m = plan.hosts[2]?.member;
    if (!m) throw new Error('r3 has no member in the plan');
    const pem = {
      ca: readFileSync(join(storePath, 'certs', 'ca.pem'), 'utf8'),
      cert: readFileSync(join(storePath, 'certs', 'cert.pem'), 'utf8'),
      key: readFileSync(join(storePath, 'certs', 'key.pem'), 'utf8'),
    };
    let after = before;
    let healthy = false;
    for (let i = 0; i < 60 && !(healthy && after !== before); i++) {
      await new Promise((r) => setTimeout(r, 500));
      after = (await shell('r3', 'cat /var/lib/shoal/etcd/etcd.pid')).stdout.trim();
      healthy = await memberHealthy(m, pem);
    }
    expect(after).not.toBe(before);
    expect(healthy).toBe(true);
  }, 60_000);

  it('pings across hosts over an overlay network', async () => {
    for (const n of NAMES)
      await importBusybox(dockerEnv(n, 2376) as Record<string, string>, { cli: '/usr/bin/docker' });
    const net = await docker('r1', ['network', 'create', '-d', 'overlay', 'shsnet']);
    expect(net.code, net.stderr).toBe(0);
    const a = await docker('r1', [
      'run',
      '-d',
      '--name',
      'shs-a',
      '--net',
      'shsnet',
      '-e',
      'constraint:node==r1',
      'busybox',
      'sleep',
      '600',
    ]);
    expect(a.code, a.stderr).toBe(0);
    const ping = await docker('r2', [
      'run',
      '--rm',
      '--net',
      'shsnet',
      '-e',
      'constraint:node==r3',
      'busybox',
      'ping',
      '-c',
      '2',
      '-W',
      '5',
      'shs-a',
    ]);
    expect(ping.code, ping.stderr + ping.stdout).toBe(0);
    expect(ping.stdout).toContain('2 packets received');
  }, 120_000);

  it('keeps quorum, elects a primary and schedules when the primary host is cut off', async () => {
    const views = await Promise.all(
      (['r1', 'r2'] as const).map(async (n) => ({
        n,
        v: await managerView(`tcp://${hosts.get(n)?.ip}:3376`, svc.clientTls(n), 3000),
      })),
    );
    const lost = views.find((x) => x.v.role === 'primary')?.n as 'r1' | 'r2';
    const other = lost === 'r1' ? 'r2' : 'r1';
    await docker('r1', ['rm', '-f', 'shs-a']);
    const down = await hosts.get(lost)!.driver.exec(['ip', 'link', 'set', 'eth1', 'down']);
    expect(down.code, down.stderr).toBe(0);
    try {
      const cut = Date.now();
      let role = '';
      for (let i = 0; i < 120 && role !== 'primary'; i++) {
        await new Promise((r) => setTimeout(r, 500));
        role = await managerView(`tcp://${hosts.get(other)?.ip}:3376`, svc.clientTls(other), 3000).then(
          (v) => v.role,
          () => '',
        );
      }
      const logs =
        role === 'primary'
          ? ''
          : await docker(other, ['logs', '--tail', '300', 'shoal-agent-master'], 2376).then(
              (r) => r.stdout + r.stderr,
            );
      expect(role, logs).toBe('primary');
      process.stdout.write(
        `${other} primary ${((Date.now() - cut) / 1000).toFixed(1)} s after ${lost} was cut off\n`,
      );
      let ran = { code: 1, stdout: '', stderr: '' };
      for (let i = 0; i < 30 && ran.code !== 0; i++) {
        ran = await docker(other, ['run', '-d', '--name', `shs-after-${i}`, 'busybox', 'sleep', '600']);
        if (ran.code !== 0) await new Promise((r) => setTimeout(r, 1000));
      }
      expect(ran.code, ran.stderr).toBe(0);
      const id = ran.stdout.trim();
      const node = await docker(other, ['inspect', '-f', '{{.Node.Name}}', id]);
      expect([other, 'r3']).toContain(node.stdout.trim());
      await docker(other, ['rm', '-f', id]);
      const plan = remotePlan(await loadHostsFile(hostsFile));
      const pem = {
        ca: readFileSync(join(storePath, 'certs', 'ca.pem'), 'utf8'),
        cert: readFileSync(join(storePath, 'certs', 'cert.pem'), 'utf8'),
        key: readFileSync(join(storePath, 'certs', 'key.pem'), 'utf8'),
      };
      const alive = plan.hosts.filter((h) => h.host.name !== lost).map((h) => h.member!);
      expect(await Promise.all(alive.map((m) => memberHealthy(m, pem)))).toEqual([true, true]);
    } finally {
      await hosts.get(lost)!.driver.exec(['ip', 'link', 'set', 'eth1', 'up']);
    }
  }, 180_000);

  it('down leaves every host clean', async () => {
    await docker('r1', ['network', 'rm', 'shsnet']);
    await remoteDown(storePath, { progress: (l) => lines.push(l) });
    for (const n of NAMES) {
      const r = await shell(
        n,
        [
          'ls -A /var/lib/shoal 2>/dev/null && echo LEFT:/var/lib/shoal',
          'for f in /etc/docker/ca.pem /etc/docker/server.pem /etc/docker/server-key.pem; do [ -e $f ] && echo LEFT:$f; done',
          'ss -Htln | awk \'{print $4}\' | grep -E ":(2376|2379|2380|3376)$" | sed "s/^/LISTEN:/"',
          'me=$(readlink /proc/self/ns/net)',
          'for p in /proc/[0-9]*; do [ "$(readlink $p/ns/net 2>/dev/null)" = "$me" ] || continue; c=$(cat $p/comm 2>/dev/null); a=$(tr "\\0" "\\n" <$p/cmdline 2>/dev/null | sed -n 2p); case "$c:$a" in dockerd:*|containerd:*|etcd:*|*:*run.sh) echo PROC:$c $a;; esac; done',
        ].join('\n'),
      );
      expect(
        r.stdout.split('\n').filter((l) => /^(LEFT|LISTEN|PROC):/.test(l)),
        `${n}`,
      ).toEqual([]);
    }
    expect(await svc.store.list()).toEqual([]);
    expect(await loadRemoteState(storePath)).toBeUndefined();
    expect(existsSync(join(storePath, 'up', 'remote'))).toBe(false);
  }, 120_000);
});
