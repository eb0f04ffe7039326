import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuthPaths, EngineOptions, ExecResult } from '../../driver.js';
import { ProvisionError } from '../../errors.js';
import { dockerdArgs, GenericProvisioner, systemdDropIn } from './generic-provisioner.js';

const dir = mkdtempSync(join(tmpdir(), 'shk-gprov-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
for (const f of ['ca.pem', 'server.pem', 'server-key.pem']) writeFileSync(join(dir, f), `<${f}>`);
const auth: AuthPaths = {
  machineDir: dir,
  caCert: join(dir, 'ca.pem'),
  serverCert: join(dir, 'server.pem'),
  serverKey: join(dir, 'server-key.pem'),
  clientCert: join(dir, 'cert.pem'),
  clientKey: join(dir, 'key.pem'),
};
const engine: EngineOptions = {
  arbitraryFlags: ['cluster-store=etcd://10.231.0.9:2379', 'cluster-advertise=eth1:2376'],
  labels: ['zone=a'],
  registryMirror: ['http://10.231.0.9:5000'],
  insecureRegistry: ['10.231.0.9:5000'],
  storageDriver: 'overlay2',
  env: ['HTTP_PROXY=http://p:3128'],
  port: 2376,
};

/** A scripted host: answers by the first matching rule, records every command and stdin. */
function host(rules: [RegExp, Partial<ExecResult>][]) {
  const log: { cmd: string; stdin?: string }[] = [];
  const run = async (cmd: string, stdin?: string): Promise<ExecResult> => {
    log.push({ cmd, stdin });
    const hit = rules.find(([re]) => re.test(cmd));
    return { code: 0, stdout: '', stderr: '', ...hit?.[1] };
  };
  return { log, run };
}

describe('dockerd flags', () => {
  it('follow docker-machine order', () => {
    expect(dockerdArgs(engine, 'generic').join(' ')).toBe(
      '-H tcp://0.0.0.0:2376 -H unix:///var/run/docker.sock --storage-driver overlay2 --tlsverify ' +
        '--tlscacert /etc/docker/ca.pem --tlscert /etc/docker/server.pem --tlskey /etc/docker/server-key.pem ' +
        '--label zone=a --label provider=generic --insecure-registry 10.231.0.9:5000 ' +
        '--registry-mirror http://10.231.0.9:5000 --cluster-store=etcd://10.231.0.9:2379 --cluster-advertise=eth1:2376',
    );
  });

  it('systemd drop-in clears ExecStart and sets Environment', () => {
    const d = systemdDropIn(engine, 'generic').split('\n');
    expect(d.slice(0, 2)).toEqual(['[Service]', 'ExecStart=']);
    expect(d[2]).toMatch(/^ExecStart=\/usr\/bin\/dockerd -H tcp:\/\/0\.0\.0\.0:2376 /);
    expect(d[3]).toBe('Environment="HTTP_PROXY=http://p:3128"');
  });
});

describe('GenericProvisioner', () => {
  it('without systemd: uploads certs, restarts a plain dockerd, waits for the port', async () => {
    const h = host([[/^test -d \/run\/systemd/, { code: 1 }]]);
    await new GenericProvisioner(h.run, 'generic', async () => undefined).provision({ engine, auth });
    const cmds = h.log.map((l) => l.cmd);
    expect(cmds[0]).toBe('command -v dockerd');
    const uploads = h.log.filter((l) => l.cmd.startsWith('sudo tee /etc/docker/'));
    expect(uploads.map((u) => [u.cmd.split(' ')[2], u.stdin])).toEqual([
      ['/etc/docker/ca.pem', '<ca.pem>'],
      ['/etc/docker/server.pem', '<server.pem>'],
      ['/etc/docker/server-key.pem', '<server-key.pem>'],
    ]);
    expect(uploads[2]?.cmd).toMatch(/chmod 600/);
    expect(cmds.some((c) => c.includes('nohup dockerd') && c.includes('provider=generic'))).toBe(true);
    expect(cmds.some((c) => c.includes('env ') && c.includes('HTTP_PROXY=http://p:3128'))).toBe(true);
    expect(cmds.at(-1)).toMatch(/grep -q ':2376 '/);
    // every command is valid sh
    for (const c of cmds) execFileSync('sh', ['-n', '-c', c]);
  });

  it('with systemd: writes the drop-in and restarts the unit', async () => {
    const h = host([]);
    await new GenericProvisioner(h.run, 'generic', async () => undefined).provision({ engine, auth });
    const dropIn = h.log.find((l) => l.cmd.includes('10-machine.conf'));
    expect(dropIn?.stdin).toBe(systemdDropIn(engine, 'generic'));
    expect(
      h.log.some((l) => l.cmd.includes('systemctl daemon-reload && sudo systemctl restart docker')),
    ).toBe(true);
    expect(h.log.some((l) => l.cmd.includes('nohup'))).toBe(false);
  });

  it('refuses a host without dockerd', async () => {
    const h = host([[/^command -v dockerd/, { code: 1 }]]);
    await expect(
      new GenericProvisioner(h.run, 'generic', async () => undefined).provision({ engine, auth }),
    ).rejects.toThrow(ProvisionError);
    expect(h.log).toHaveLength(1);
  });

  it('gives up after 10 port checks', async () => {
    const h = host([[/grep -q/, { code: 1 }]]);
    let sleeps = 0;
    await expect(
      new GenericProvisioner(h.run, 'generic', async () => {
        sleeps++;
      }).provision({ engine, auth }),
    ).rejects.toThrow(/did not listen on port 2376/);
    expect(sleeps).toBe(10);
  });
});
