import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotSupportedError } from '../../../util/errors.js';
import { freePort } from '../../../util/free-port.js';
import type { DriverContext } from '../../driver.js';
import { type GenericDriver, genericDriverFactory, sshExec, tcpProbe } from './index.js';

// A real sshd on 127.0.0.1 (own config, keys and pid file); the generic driver reaches it with ssh2 and the
// external ssh client. Provisioning is not run here: it would rewrite /etc/docker and start a dockerd on this
// machine itself.
const dir = mkdtempSync(join(tmpdir(), 'shk-ssh-'));
let sshd: ChildProcess | undefined;
let port = 0;
let madeRunSshd = false;

function startSshd(): ChildProcess {
  const p = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  p.stderr?.resume();
  return p;
}

async function waitPort(up: boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await tcpProbe('127.0.0.1', port, 500)) === up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sshd port ${port} never became ${up ? 'open' : 'closed'}`);
}

function stopSshd(): Promise<void> {
  const p = sshd;
  sshd = undefined;
  if (!p || p.exitCode !== null) return Promise.resolve();
  return new Promise((r) => {
    p.once('exit', () => r());
    p.kill('SIGTERM');
  });
}

beforeAll(async () => {
  if (!existsSync('/run/sshd')) {
    mkdirSync('/run/sshd', { mode: 0o755 });
    madeRunSshd = true;
  }
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'user_key')]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_key.pub')));
  port = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
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
  sshd = startSshd();
  await waitPort(true);
});

afterAll(async () => {
  await stopSshd();
  if (madeRunSshd) rmSync('/run/sshd', { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

describe('generic driver over a real sshd', () => {
  const machineDir = join(dir, 'store', 'machines', 'g1');
  const ctx: DriverContext = {
    machineName: 'g1',
    machineDir,
    storePath: join(dir, 'store'),
    progress: () => undefined,
  };
  let driver: GenericDriver;

  it('create imports the key (0600, with .pub) and waits for SSH', async () => {
    mkdirSync(machineDir, { recursive: true });
    driver = genericDriverFactory.fromFlags(ctx, {
      'generic-ip-address': '127.0.0.1',
      'generic-ssh-port': port,
      'generic-ssh-key': join(dir, 'user_key'),
      'generic-ssh-user': 'root',
    }) as GenericDriver;
    await driver.preCreateCheck();
    await driver.create();
    expect(statSync(join(machineDir, 'id_rsa')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(machineDir, 'id_rsa.pub'))).toBe(true);
    expect(driver.toRecord()).toMatchObject({
      IPAddress: '127.0.0.1',
      SSHPort: port,
      SSHKeyPath: join(machineDir, 'id_rsa'),
      SSHKey: join(dir, 'user_key'),
      EnginePort: 2376,
    });
  });

  it('state, url, exec with stdin, and the external ssh client', async () => {
    const d = genericDriverFactory.fromRecord(ctx, driver.toRecord()) as GenericDriver;
    expect(await d.state()).toBe('Running');
    expect(await d.url()).toBe('tcp://127.0.0.1:2376');
    const r = await d.exec(['sh', '-c', 'read x; echo got:$x; echo err >&2; exit 3'], { stdin: 'ping\n' });
    expect(r).toEqual({ code: 3, stdout: 'got:ping\n', stderr: 'err\n' });
    const argv = await d.shellArgv(['echo', 'via-ssh']);
    const out = execFileSync(argv[0] as string, argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
    expect(out).toBe('via-ssh\n');
  });

  it('refuses start/stop/kill; a wrong key is an SshError', async () => {
    await expect(driver.stop()).rejects.toBeInstanceOf(NotSupportedError);
    await expect(driver.start()).rejects.toBeInstanceOf(NotSupportedError);
    await expect(driver.kill()).rejects.toBeInstanceOf(NotSupportedError);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'other_key')]);
    await expect(
      sshExec({ host: '127.0.0.1', port, user: 'root', keyPath: join(dir, 'other_key') }, 'true'),
    ).rejects.toThrow(/ssh root@127\.0\.0\.1/);
  });

  it('state is Stopped when the SSH port is closed, Running again after', async () => {
    await stopSshd();
    await waitPort(false);
    driver.probeTimeoutMs = 2_000;
    expect(await driver.state()).toBe('Stopped');
    await expect(driver.url()).rejects.toThrow(/not running/);
    sshd = startSshd();
    await waitPort(true);
    expect(await driver.state()).toBe('Running');
  });
});
