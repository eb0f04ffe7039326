import { describe, expect, it } from 'vitest';
import { fakeCluster, fakeContainer, fakeNode } from '../testkit/fake-cluster.js';
import type { ApiCluster, ApiNode } from './cluster-port.js';
import type { ManagerInfo } from './context.js';
import { bytesSize } from './info.js';
import { InfoRenderer } from './info-body.js';

const manager: ManagerInfo = {
  experimental: false,
  debug: false,
  hostname: 'mgr',
  kernelVersion: '6.1.0',
  role: () => 'primary',
  primary: () => undefined,
  eventListeners: 0,
};

function render(
  cluster: ApiCluster,
  m: ManagerInfo = manager,
  r = new InfoRenderer(),
): Record<string, unknown> {
  return JSON.parse(Buffer.concat(r.render(cluster, m, '0.1.0')).toString()) as Record<string, unknown>;
}

function statusText(info: Record<string, unknown>): string {
  return (info.SystemStatus as [string, string][]).map(([k, v]) => `${k}: ${v}`).join('\n');
}

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
    expect(statusText(render(cluster))).toBe(
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

  it('sums totals over healthy nodes and names the server swarm/<level> (shoal <version>)', () => {
    expect(render(cluster)).toMatchObject({
      Containers: 3,
      ContainersRunning: 1,
      ContainersPaused: 1,
      ContainersStopped: 1,
      Images: 3,
      NCPU: 4,
      MemTotal: 4 * 1024 ** 3,
      ServerVersion: 'swarm/1.2.9 (shoal 0.1.0)',
      Name: 'mgr',
    });
  });

  it('adds the primary line on a replica', () => {
    const info = render(cluster, { ...manager, role: () => 'replica', primary: () => '10.0.0.9:2375' });
    expect((info.SystemStatus as unknown[]).slice(0, 2)).toEqual([
      ['Role', 'replica'],
      ['Primary', '10.0.0.9:2375'],
    ]);
  });

  it('renders a node again only when something it shows changed, and re-sorts on a rename', () => {
    let labelReads = 0;
    const labels = new Proxy<Record<string, string>>(
      { zone: 'a' },
      {
        ownKeys(target) {
          labelReads++;
          return Reflect.ownKeys(target);
        },
      },
    );
    const a = fakeNode({ name: 'node-3', addr: '10.0.1.3:2376', labels });
    const b = fakeNode({ name: 'node-4', addr: '10.0.1.4:2376' });
    const c = fakeCluster([b, a], [fakeContainer(a, { Id: 'x1' })]);
    const r = new InfoRenderer();
    const text = () =>
      Buffer.concat(r.render(c, manager, '0.1.0'))
        .toString()
        .replace(/"SystemTime":"[^"]+"/, '');
    const first = text();
    expect(labelReads).toBe(1);
    expect(text()).toBe(first);
    expect(labelReads).toBe(1);

    const mutable = a as { -readonly [K in keyof ApiNode]: ApiNode[K] };
    mutable.updatedAt = Date.UTC(2026, 5, 6, 7, 8, 9);
    mutable.counts = { total: 2, running: 1, paused: 0, stopped: 1 };
    const again = render(c, manager, r);
    expect(labelReads).toBe(2);
    expect(statusText(again)).toContain('  └ Containers: 2 (1 Running, 0 Paused, 1 Stopped)');
    expect(statusText(again)).toContain('  └ UpdatedAt: 2026-06-06T07:08:09Z');
    expect(again.Containers).toBe(2);

    const names = () =>
      (render(c, manager, r).SystemStatus as [string, string][])
        .filter(([k]) => k.startsWith(' ') && !k.startsWith('  '))
        .map(([k]) => k.trim());
    expect(names()).toEqual(['node-3', 'node-4']);
    mutable.name = 'node-5';
    expect(names()).toEqual(['node-4', 'node-5']);
  });

  it.each<[keyof ApiNode, unknown]>([
    ['id', 'OTHER:ID'],
    ['name', 'node-9'],
    ['addr', '10.0.9.9:2376'],
    ['state', 'unhealthy'],
    ['error', 'connection refused'],
    ['updatedAt', Date.UTC(2026, 1, 1)],
    ['serverVersion', '28.0.0'],
    ['availability', 'drain'],
    ['usedCpus', 1],
    ['totalCpus', 4],
    ['usedMemory', 1024 ** 3],
    ['totalMemory', 4 * 1024 ** 3],
    ['labels', { storagedriver: 'overlay2', zone: 'b' }],
    ['counts', { total: 1, running: 1, paused: 0, stopped: 0 }],
  ])('renders a node again when its %s changes', (field, value) => {
    const a = fakeNode({ name: 'node-3', availability: 'active' });
    const c = fakeCluster([a], []);
    const r = new InfoRenderer();
    const before = statusText(render(c, manager, r));
    expect(statusText(render(c, manager, r))).toBe(before);
    (a as unknown as Record<string, unknown>)[field] = value;
    expect(statusText(render(c, manager, r))).not.toBe(before);
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
