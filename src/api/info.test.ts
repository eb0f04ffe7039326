import { describe, expect, it } from 'vitest';
import type { ManagerInfo } from './context.js';
import { fakeCluster, fakeContainer, fakeNode } from './fake-cluster.js';
import { buildInfo, bytesSize, countContainers, systemStatus } from './info.js';

const manager: ManagerInfo = {
  experimental: false,
  debug: false,
  hostname: 'mgr',
  kernelVersion: '6.1.0',
  role: () => 'primary',
  primary: () => undefined,
  eventListeners: 0,
};

describe('docker info rendering', () => {
  const n10 = fakeNode({ name: 'node-10', addr: '10.0.0.10:2376', ip: '10.0.0.10' });
  const n2 = fakeNode({
    name: 'node-2',
    addr: '10.0.0.2:2376',
    ip: '10.0.0.2',
    usedCpus: 1,
    usedMemory: 512 * 1024 ** 2,
    labels: { region: 'eu', storagedriver: 'overlay2' },
  });
  const down = fakeNode({
    name: '',
    id: '',
    addr: '10.0.0.3:2376',
    state: 'pending',
    error: 'connection refused',
  });
  const cluster = fakeCluster(
    [n10, n2, down],
    [
      fakeContainer(n2, { Id: 'a1', State: 'running' }),
      fakeContainer(n2, { Id: 'a2', State: 'exited', Status: 'Exited (0) 1 minute ago' }),
      fakeContainer(n10, { Id: 'b1', State: 'paused' }),
    ],
  );

  it('prints the tutorial layout in SystemStatus, nodes in natural order', () => {
    const pairs = systemStatus(cluster, manager, countContainers(cluster));
    const text = pairs.map(([k, v]) => `${k}: ${v}`).join('\n');
    expect(text).toBe(
      [
        'Role: primary',
        'Strategy: spread',
        'Filters: health, port',
        'Nodes: 3',
        ' (unknown): 10.0.0.3:2376',
        '  └ ID: ',
        '  └ Status: Pending',
        '  └ Containers: 0',
        '  └ Reserved CPUs: 0 / 2',
        '  └ Reserved Memory: 0 B / 2 GiB',
        '  └ Labels: storagedriver=overlay2',
        '  └ Error: connection refused',
        '  └ UpdatedAt: 2026-01-02T03:04:05Z',
        '  └ ServerVersion: 20.10.24',
        ' node-2: 10.0.0.2:2376',
        '  └ ID: NODE-2:ID',
        '  └ Status: Healthy',
        '  └ Containers: 2 (1 Running, 0 Paused, 1 Stopped)',
        '  └ Reserved CPUs: 1 / 2',
        '  └ Reserved Memory: 512 MiB / 2 GiB',
        '  └ Labels: region=eu, storagedriver=overlay2',
        '  └ UpdatedAt: 2026-01-02T03:04:05Z',
        '  └ ServerVersion: 20.10.24',
        ' node-10: 10.0.0.10:2376',
        '  └ ID: NODE-10:ID',
        '  └ Status: Healthy',
        '  └ Containers: 1 (0 Running, 1 Paused, 0 Stopped)',
        '  └ Reserved CPUs: 0 / 2',
        '  └ Reserved Memory: 0 B / 2 GiB',
        '  └ Labels: storagedriver=overlay2',
        '  └ UpdatedAt: 2026-01-02T03:04:05Z',
        '  └ ServerVersion: 20.10.24',
      ].join('\n'),
    );
  });

  it('sums totals over healthy nodes and names the server shoal/<version>', () => {
    const info = buildInfo(cluster, manager, '0.1.0');
    expect(info).toMatchObject({
      Containers: 3,
      ContainersRunning: 1,
      ContainersPaused: 1,
      ContainersStopped: 1,
      Images: 3,
      NCPU: 4,
      MemTotal: 4 * 1024 ** 3,
      ServerVersion: 'shoal/0.1.0',
      Name: 'mgr',
    });
  });

  it('adds the primary line on a replica', () => {
    const pairs = systemStatus(
      cluster,
      { ...manager, role: () => 'replica', primary: () => '10.0.0.9:2375' },
      new Map(),
    );
    expect(pairs.slice(0, 2)).toEqual([
      ['Role', 'replica'],
      ['Primary', '10.0.0.9:2375'],
    ]);
  });

  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [2_204_000_000, '2.053 GiB'],
    [1536, '1.5 KiB'],
  ])('bytesSize(%i) = %s', (n, s) => {
    expect(bytesSize(n)).toBe(s);
  });
});
