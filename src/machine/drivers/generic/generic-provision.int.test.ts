import 'reflect-metadata';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Driver, DriverContext } from '../../driver.js';
import { engineVersion } from '../../engine-probe.js';
import { MachineService } from '../../machine-service.js';
import { netnsDriverFactory, sweepPrefix } from '../netns/index.js';
import { tcpProbe } from './index.js';

// Full `create -d generic` provisioning against a real host: a netns machine (namespaces + bridge address, no
// engine) runs sshd in a private mount namespace whose /etc/docker, /var/lib/docker, /run and /var/log are
// tmpfs, so the provisioner's fixed paths never touch this machine's own files. The provisioner uploads the
// certificates over SSH and starts dockerd (no systemd there); the test then talks TLS to the engine.
const PREFIX = 'shk';
const SUBNET = '10.231.0.0/24';
const dir = mkdtempSync(join(tmpdir(), 'shk-gp-'));
const storePath = join(dir, 'store');
let host: Driver | undefined;
let sshd: ChildProcess | undefined;
let ip = '';
let sshdLog = '';

function hostCtx(): DriverContext {
  const machineDir = join(dir, 'hostdir');
  mkdirSync(machineDir, { recursive: true });
  return { machineName: 'gphost', machineDir, storePath: dir, progress: () => undefined };
}

beforeAll(async () => {
  await sweepPrefix(PREFIX);
  host = netnsDriverFactory.fromFlags(hostCtx(), { 'netns-prefix': PREFIX, 'netns-subnet': SUBNET });
  await host.preCreateCheck();
  await host.create();
  ip = await host.ip();
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'user_key')]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_key.pub')));
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `ListenAddress ${ip}`,
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'StrictModes no',
      'UsePAM no',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'sshd.sh'),
    [
      'set -e',
      'mkdir -p /etc/docker',
      'for d in /etc/docker /var/lib /run /var/log; do mount -t tmpfs tmpfs "$d"; done',
      'mkdir -p /run/sshd',
      `exec /usr/sbin/sshd -D -e -f ${join(dir, 'sshd_config')}`,
      '',
    ].join('\n'),
  );
  const argv = await host.shellArgv([
    'unshare',
    '--mount',
    '--propagation',
    'private',
    '/bin/sh',
    join(dir, 'sshd.sh'),
  ]);
  sshd = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  sshd.stderr?.on('data', (d: Buffer) => {
    sshdLog += d.toString();
  });
  for (let i = 0; i < 100 && !(await tcpProbe(ip, 22, 500)); i++)
    await new Promise((r) => setTimeout(r, 100));
});

afterAll(async () => {
  try {
    if (sshd && sshd.exitCode === null) sshd.kill('SIGTERM');
    await host?.remove(); // kills every process of the netns machine (sshd, the provisioned dockerd, containerd)
  } finally {
    await sweepPrefix(PREFIX);
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('create -d generic with full provisioning', () => {
  it('provisions dockerd over SSH with the store certificates and engine options', async () => {
    expect(await tcpProbe(ip, 22, 2000), sshdLog).toBe(true);
    const lines: string[] = [];
    const svc = new MachineService({ storePath, progress: (l) => lines.push(l) });
    await svc.create({
      name: 'g1',
      driver: 'generic',
      driverFlags: {
        'generic-ip-address': ip,
        'generic-ssh-key': join(dir, 'user_key'),
        'generic-ssh-user': 'root',
      },
      engine: { labels: ['zone=g'], storageDriver: 'vfs', env: ['SHK_TEST=1'] },
    });
    expect(lines).toContain('Provisioning the engine (generic)');
    const tls = svc.clientTls('g1');
    expect((await engineVersion(`tcp://${ip}:2376`, tls)).Version).toBe('20.10.24+dfsg1');
    const info = execFileSync('/usr/local/bin/docker', ['info', '--format', '{{json .Labels}} {{.Driver}}'], {
      encoding: 'utf8',
      env: {
        ...process.env,
        DOCKER_HOST: `tcp://${ip}:2376`,
        DOCKER_TLS_VERIFY: '1',
        DOCKER_CERT_PATH: svc.store.machineDir('g1'),
      },
      timeout: 60_000,
    });
    // dockerd does not keep the labels' order between runs: compare them as a set
    const [labels, driver] = info.trim().split(' ');
    expect((JSON.parse(labels ?? 'null') as string[]).sort()).toEqual(['provider=generic', 'zone=g']);
    expect(driver).toBe('vfs');
    // the certificates the engine uses are the ones uploaded over SSH
    const remoteCa = await (await svc.load('g1')).driver.exec(['cat', '/etc/docker/ca.pem']);
    expect(remoteCa.stdout).toBe(readFileSync(join(storePath, 'certs', 'ca.pem'), 'utf8'));
    // rm only forgets the host
    await svc.remove('g1');
    expect(await tcpProbe(ip, 2376, 2000)).toBe(true);
  });
});
