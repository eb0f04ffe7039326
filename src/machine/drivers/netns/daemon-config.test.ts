import { describe, expect, it } from 'vitest';
import type { AuthPaths, EngineOptions } from '../../driver.js';
import { InvalidFlagError } from '../../errors.js';
import { buildDaemonConfig } from './daemon-config.js';
import { machineLayout } from './layout.js';

const auth: AuthPaths = {
  machineDir: '/s/machines/m1',
  caCert: '/s/machines/m1/ca.pem',
  serverCert: '/s/machines/m1/server.pem',
  serverKey: '/s/machines/m1/server-key.pem',
  clientCert: '/s/machines/m1/cert.pem',
  clientKey: '/s/machines/m1/key.pem',
};
const site = { layout: machineLayout('/s/machines/m1'), bip: '172.18.2.1/24', driverName: 'netns' };

function engine(o: Partial<EngineOptions> = {}): EngineOptions {
  return {
    arbitraryFlags: [],
    labels: [],
    registryMirror: [],
    insecureRegistry: [],
    storageDriver: '',
    env: [],
    port: 2376,
    ...o,
  };
}

describe('buildDaemonConfig', () => {
  it('gives each machine its own identity, paths, TLS listener and unix socket', () => {
    const { daemonJson, flags, env } = buildDaemonConfig(engine(), auth, site);
    expect(daemonJson).toMatchObject({
      'deprecated-key-path': '/s/machines/m1/key.json',
      'data-root': '/s/machines/m1/data',
      'exec-root': '/s/machines/m1/run',
      pidfile: '/s/machines/m1/docker.pid',
      hosts: ['tcp://0.0.0.0:2376', 'unix:///s/machines/m1/d.sock'],
      tlsverify: true,
      tlscacert: auth.caCert,
      tlscert: auth.serverCert,
      tlskey: auth.serverKey,
      bip: '172.18.2.1/24',
      labels: ['provider=netns'],
    });
    expect(daemonJson['storage-driver']).toBeUndefined();
    expect(flags).toEqual([]);
    expect(env.PATH).toContain('/usr/sbin');
  });

  it("maps the tutorial's engine options into daemon.json and the rest to flags", () => {
    const { daemonJson, flags, env } = buildDaemonConfig(
      engine({
        labels: ['env=test'],
        registryMirror: ['http://10.232.0.1:5000'],
        insecureRegistry: ['10.232.0.1:5000'],
        storageDriver: 'vfs',
        env: ['HTTP_PROXY=http://p:3128', 'A=b=c'],
        arbitraryFlags: [
          'cluster-store=etcd://10.232.0.9:2379',
          'cluster-advertise=eth1:2376',
          'label=zone=eu',
          'debug',
          'max-concurrent-downloads=2',
        ],
      }),
      auth,
      site,
    );
    expect(daemonJson).toMatchObject({
      'cluster-store': 'etcd://10.232.0.9:2379',
      'cluster-advertise': 'eth1:2376',
      labels: ['env=test', 'provider=netns', 'zone=eu'],
      'registry-mirrors': ['http://10.232.0.1:5000'],
      'insecure-registries': ['10.232.0.1:5000'],
      'storage-driver': 'vfs',
    });
    expect(flags).toEqual(['--debug', '--max-concurrent-downloads=2']);
    expect(env).toMatchObject({ HTTP_PROXY: 'http://p:3128', A: 'b=c' });
  });

  it.each([
    [{ arbitraryFlags: ['data-root=/x'] }, /sets --data-root itself/],
    [{ arbitraryFlags: ['host=tcp://0.0.0.0:2375'] }, /sets --host itself/],
    [{ arbitraryFlags: ['bad flag'] }, /expected NAME or NAME=VALUE/],
    [{ env: ['NOEQUALS'] }, /--engine-env "NOEQUALS"/],
  ] as const)('refuses %j', (o, msg) => {
    expect(() => buildDaemonConfig(engine(o), auth, site)).toThrow(InvalidFlagError);
    expect(() => buildDaemonConfig(engine(o), auth, site)).toThrow(msg);
  });
});
