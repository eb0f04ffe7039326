import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeWorld, fakeDriverFactory } from './drivers/fake/index.js';
import { listHosts } from './ls.js';
import { MachineService } from './machine-service.js';

const root = mkdtempSync(join(tmpdir(), 'shk-ls-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('listHosts', () => {
  it('fills SWARM, ACTIVE, Timeout and broken records; sorts naturally', async () => {
    const world = new FakeWorld();
    const svc = new MachineService({
      storePath: join(root, 's'),
      drivers: new Map([['fake', fakeDriverFactory(world)]]),
      engineCheck: async () => undefined,
    });
    const disc = 'etcd://10.231.0.200:2379/swarm';
    await svc.create({
      name: 'mgr',
      driver: 'fake',
      driverFlags: {},
      swarm: { agent: true, master: true, discovery: disc },
    });
    await svc.create({
      name: 'node10',
      driver: 'fake',
      driverFlags: {},
      swarm: { agent: true, discovery: disc },
    });
    await svc.create({ name: 'node2', driver: 'fake', driverFlags: {} });
    await svc.create({ name: 'slow', driver: 'fake', driverFlags: {} });
    world.hang.add('slow');
    mkdirSync(svc.store.machineDir('broken'), { recursive: true });
    writeFileSync(join(svc.store.machineDir('broken'), 'config.json'), '{');

    const mgrIp = world.machines.get('mgr')?.ip;
    const items = await listHosts(svc, { timeoutMs: 300, dockerHost: `tcp://${mgrIp}:3376` });
    const row = (n: string) => items.find((i) => i.Name === n);
    expect(items.map((i) => i.Name)).toEqual(['broken', 'mgr', 'node2', 'node10', 'slow']);
    expect(row('mgr')).toMatchObject({
      Swarm: 'mgr (master)',
      Active: '* (swarm)',
      ActiveSwarm: true,
      State: 'Running',
    });
    expect(row('node10')).toMatchObject({ Swarm: 'mgr', Active: '-' });
    expect(row('node2')).toMatchObject({ Swarm: '', DockerVersion: 'Unknown' });
    expect(row('slow')).toMatchObject({ State: 'Timeout', Error: 'Driver timed out after 0.3s' });
    expect(row('broken')).toMatchObject({ DriverName: 'not found', State: 'Error' });

    const n2url = `tcp://${world.machines.get('node2')?.ip}:2376`;
    const again = await listHosts(svc, { timeoutMs: 300, dockerHost: n2url });
    expect(again.filter((i) => i.Active !== '-').map((i) => [i.Name, i.Active])).toEqual([['node2', '*']]);
  });
});
