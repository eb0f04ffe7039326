import 'reflect-metadata';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NotSupportedError } from '../util/errors.js';
import type { CreateRequest } from './create-options.js';
import { type FakeFailStep, FakeWorld, fakeDriverFactory } from './drivers/fake/index.js';
import { noneDriverFactory } from './drivers/none/index.js';
import {
  HostExistsError,
  InvalidFlagError,
  InvalidHostNameError,
  PreCreateCheckError,
  UnknownDriverError,
} from './errors.js';
import { MachineService } from './machine-service.js';

const root = mkdtempSync(join(tmpdir(), 'shk-svc-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function service(world: FakeWorld, engineOk = true): MachineService {
  const storePath = mkdtempSync(join(root, 's-'));
  return new MachineService({
    storePath,
    drivers: new Map([
      ['fake', fakeDriverFactory(world)],
      ['none', noneDriverFactory],
    ]),
    engineCheck: async () => {
      world.calls.push('engineCheck');
      if (!engineOk) throw new Error('engine not answering');
    },
  });
}

const req = (name: string, extra: Partial<CreateRequest> = {}): CreateRequest => ({
  name,
  driver: 'fake',
  driverFlags: {},
  ...extra,
});

describe('MachineService.create', () => {
  it('runs the steps in order and lays out the machine dir', async () => {
    const world = new FakeWorld();
    const svc = service(world);
    const rec = await svc.create(req('m1', { engine: { labels: ['zone=a'] }, tlsSan: ['extra.example'] }));
    expect([...new Set(world.calls)]).toEqual([
      'preCreateCheck:m1',
      'create:m1',
      'ip:m1',
      'provision:m1',
      'engineCheck',
    ]);
    const dir = svc.store.machineDir('m1');
    expect(readdirSync(dir).sort()).toEqual(
      ['ca.pem', 'cert.pem', 'config.json', 'fake-disk', 'key.pem', 'server-key.pem', 'server.pem'].sort(),
    );
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'key.pem')).mode & 0o777).toBe(0o600);
    expect(rec.HostOptions.EngineOptions.Labels).toEqual(['zone=a']);
    expect(rec.HostOptions.AuthOptions.ServerCertSANs).toEqual(['extra.example']);
    expect(world.provisioned[0]?.auth.serverCert).toBe(join(dir, 'server.pem'));
    expect((await svc.load('m1')).record.Driver.IPAddress).toBe('127.231.0.10');
  });

  it.each<FakeFailStep | 'engine'>(['create', 'ip', 'provision', 'engine'])(
    'a failure at %s leaves no machine dir and no driver machine',
    async (step) => {
      const world = new FakeWorld();
      const svc = service(world, step !== 'engine');
      if (step !== 'engine') world.failAt = step;
      await expect(svc.create(req('bad'))).rejects.toThrow();
      expect(existsSync(svc.store.machineDir('bad'))).toBe(false);
      expect(world.machines.size).toBe(0);
      expect(await svc.store.list()).toEqual([]);
    },
  );

  it('a failed pre-create check makes nothing and is a PreCreateCheckError', async () => {
    const world = new FakeWorld();
    world.failAt = 'preCreateCheck';
    const svc = service(world);
    await expect(svc.create(req('pc'))).rejects.toBeInstanceOf(PreCreateCheckError);
    expect(existsSync(svc.store.machineDir('pc'))).toBe(false);
    expect(world.calls).toEqual(['preCreateCheck:pc']);
  });

  it('rejects bad names, unknown drivers, duplicates and bad flags before making anything', async () => {
    const world = new FakeWorld();
    const svc = service(world);
    await expect(svc.create(req('-bad'))).rejects.toBeInstanceOf(InvalidHostNameError);
    await expect(svc.create(req('a_b'))).rejects.toBeInstanceOf(InvalidHostNameError);
    await expect(svc.create(req('x', { driver: 'virtualbox' }))).rejects.toBeInstanceOf(UnknownDriverError);
    await expect(svc.create(req('x', { engine: { registryMirror: ['not a url'] } }))).rejects.toBeInstanceOf(
      InvalidFlagError,
    );
    await expect(svc.create(req('x', { swarm: { master: true, discovery: 'nodes' } }))).rejects.toThrow(
      /scheme:\/\//,
    );
    await expect(svc.create(req('x', { driver: 'none' }))).rejects.toThrow(/--url is required/);
    await svc.create(req('dup'));
    await expect(svc.create(req('dup'))).rejects.toBeInstanceOf(HostExistsError);
    expect(await svc.store.list()).toEqual(['dup']);
    expect(world.calls.filter((c) => c.startsWith('create'))).toEqual(['create:dup']);
  });

  it('none driver: saved without provisioning or engine check; lifecycle refused', async () => {
    const world = new FakeWorld();
    const svc = service(world);
    await svc.create(req('ext', { driver: 'none', driverFlags: { url: 'tcp://10.231.0.44:2376' } }));
    expect(world.calls).toEqual([]);
    const host = await svc.load('ext');
    expect(await host.driver.ip()).toBe('10.231.0.44');
    expect(await host.driver.state()).toBe('Running');
    await expect(svc.stop('ext')).rejects.toBeInstanceOf(NotSupportedError);
    expect(existsSync(join(svc.store.machineDir('ext'), 'server.pem'))).toBe(false);
    expect(existsSync(join(svc.store.machineDir('ext'), 'ca.pem'))).toBe(true);
  });

  it('swarm masters get a server cert with clientAuth', async () => {
    const world = new FakeWorld();
    const svc = service(world);
    const rec = await svc.create(
      req('mst', { swarm: { agent: true, master: true, discovery: 'etcd://10.231.0.2:2379' } }),
    );
    expect(rec.HostOptions.SwarmOptions).toMatchObject({
      IsSwarm: true,
      Master: true,
      Discovery: 'etcd://10.231.0.2:2379',
    });
    const { X509Certificate } = await import('node:crypto');
    const { readFileSync } = await import('node:fs');
    const cert = new X509Certificate(readFileSync(join(svc.store.machineDir('mst'), 'server.pem')));
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.2');
    expect(cert.subjectAltName).toContain('IP Address:127.231.0.10');
  });
});

describe('MachineService life cycle', () => {
  it('stop/start/kill/restart/remove through the driver', async () => {
    const world = new FakeWorld();
    const svc = service(world);
    await svc.create(req('lc'));
    await svc.stop('lc');
    expect(await (await svc.load('lc')).driver.state()).toBe('Stopped');
    await svc.start('lc');
    expect(await (await svc.load('lc')).driver.state()).toBe('Running');
    await svc.kill('lc');
    await svc.restart('lc');
    await svc.remove('lc');
    expect(existsSync(svc.store.machineDir('lc'))).toBe(false);
    expect(world.machines.size).toBe(0);
  });

  it('remove -f removes local data even if the driver fails', async () => {
    const world = new FakeWorld();
    const svc = service(world);
    await svc.create(req('rf'));
    world.failAt = 'remove';
    await expect(svc.remove('rf')).rejects.toThrow(/fake remove failed/);
    expect(existsSync(svc.store.machineDir('rf'))).toBe(true);
    await svc.remove('rf', { force: true });
    expect(existsSync(svc.store.machineDir('rf'))).toBe(false);
  });

  it('regenerateCerts re-issues for a changed IP; --client-certs makes a new CA', async () => {
    const world = new FakeWorld();
    const svc = service(world);
    await svc.create(req('rg'));
    const m = world.machines.get('rg');
    if (m) m.ip = '127.231.0.99';
    const { X509Certificate } = await import('node:crypto');
    const { readFileSync } = await import('node:fs');
    const caBefore = readFileSync(join(svc.certDir, 'ca.pem'), 'utf8');
    await svc.regenerateCerts('rg');
    const cert = new X509Certificate(readFileSync(join(svc.store.machineDir('rg'), 'server.pem')));
    expect(cert.subjectAltName).toContain('IP Address:127.231.0.99');
    expect(readFileSync(join(svc.certDir, 'ca.pem'), 'utf8')).toBe(caBefore);
    await svc.regenerateCerts('rg', { clientCerts: true });
    const caAfter = readFileSync(join(svc.certDir, 'ca.pem'), 'utf8');
    expect(caAfter).not.toBe(caBefore);
    expect(readFileSync(join(svc.store.machineDir('rg'), 'ca.pem'), 'utf8')).toBe(caAfter);
    expect(world.provisioned.length).toBe(3);
  });
});

describe('MachineService.provision', () => {
  it('re-issues the server cert and re-runs the provisioner with the stored engine options', async () => {
    const world = new FakeWorld();
    const svc = service(world);
    await svc.create(req('pv', { engine: { labels: ['a=b'], opts: ['debug'] } }));
    await svc.provision('pv');
    expect(world.provisioned).toHaveLength(2);
    expect(world.provisioned[1]?.engine).toMatchObject({
      labels: ['a=b'],
      arbitraryFlags: ['debug'],
      port: 2376,
    });
    expect(world.calls.filter((c) => c === 'engineCheck')).toHaveLength(2);
  });
});

describe('MachineService.create interrupted', () => {
  it('an abort during provisioning rolls back at the next step', async () => {
    const world = new FakeWorld();
    const storePath = mkdtempSync(join(root, 'abort-'));
    const abort = new AbortController();
    const base = fakeDriverFactory(world);
    const svc = new MachineService({
      storePath,
      drivers: new Map([
        [
          'fake',
          {
            ...base,
            provisioner: (d, ctx) => ({
              name: 'fake',
              async provision() {
                abort.abort(new Error('interrupted'));
                await base.provisioner(d, ctx)?.provision({} as never);
              },
            }),
          },
        ],
      ]),
      engineCheck: async () => {
        world.calls.push('engineCheck');
      },
    });
    await expect(svc.create(req('ab'), abort.signal)).rejects.toThrow('interrupted');
    expect(existsSync(svc.store.machineDir('ab'))).toBe(false);
    expect(world.machines.size).toBe(0);
    expect(world.calls).not.toContain('engineCheck');
  });
});
