import { describe, expect, it } from 'vitest';
import { fakeContainer, fakeNode } from '../testkit/fake-cluster.js';
import { comparePrecise, listContainers, listOptions, nodePorts } from './container-list.js';

const n1 = fakeNode({ name: 'node-1', ip: '10.0.0.1', addr: '10.0.0.1:2376' });
const n2 = fakeNode({ name: 'node-2', ip: '10.0.0.2', addr: '10.0.0.2:2376' });
const sick = fakeNode({ name: 'node-3', ip: '10.0.0.3', addr: '10.0.0.3:2376', state: 'unhealthy' });
const all = [
  fakeContainer(n1, {
    Id: 'aaa1',
    Names: ['/web'],
    Created: 100,
    Labels: { tier: 'front' },
    Ports: [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }],
  }),
  fakeContainer(n2, {
    Id: 'bbb2',
    Names: ['/db'],
    Created: 300,
    State: 'exited',
    Status: 'Exited (3) 1 hour ago',
  }),
  fakeContainer(n2, { Id: 'ccc3', Names: ['/agent'], Image: 'shoal:latest', Created: 200 }),
  fakeContainer(sick, { Id: 'ddd4', Names: ['/lost'], Created: 50 }),
];

const names = (q: string) => listContainers(all, listOptions(new URLSearchParams(q))).map((c) => c.Names[0]);

describe('listContainers', () => {
  it('shows running containers of healthy nodes as node/name, hiding shoal-image ones', () => {
    expect(names('')).toEqual(['/node-1/web']);
  });
  it('with all: newest first, shoal-image and unhealthy-node containers included', () => {
    expect(names('all=1')).toEqual(['/node-2/db', '/node-2/agent', '/node-1/web', '/node-3/lost']);
    const lost = listContainers(all, listOptions(new URLSearchParams('all=1'))).find((c) => c.Id === 'ddd4');
    expect(lost?.Status).toBe('Host Down');
  });
  it('replaces unspecified port IPs with the node IP', () => {
    const web = listContainers(all, listOptions(new URLSearchParams('')))[0];
    expect(web?.Ports?.[0]?.IP).toBe('10.0.0.1');
  });
  it.each([
    ['name', '{"name":{"web":true}}', ['/node-1/web']],
    ['name with node prefix', '{"name":["node-2/db"]}', ['/node-2/db']],
    ['id prefix', '{"id":["bbb"]}', ['/node-2/db']],
    ['label', '{"label":["tier=front"]}', ['/node-1/web']],
    ['status', '{"status":["exited"]}', ['/node-2/db']],
    ['node', '{"node":["node-2"]}', ['/node-2/db', '/node-2/agent']],
    ['exited', '{"exited":["3"]}', ['/node-2/db']],
  ])('filters by %s', (_n, filters, want) => {
    expect(names(`all=1&filters=${encodeURIComponent(filters)}`)).toEqual(want);
  });
  it('honours limit and before', () => {
    expect(names('limit=1')).toEqual(['/node-2/db']);
    // the limit applies to what the filter kept, newest first
    expect(names(`limit=1&filters=${encodeURIComponent('{"status":["running"]}')}`)).toEqual(['/node-1/web']);
    expect(names(`limit=2&filters=${encodeURIComponent('{"id":["aaa","ddd"]}')}`)).toEqual([
      '/node-1/web',
      '/node-3/lost',
    ]);
    expect(names('before=agent')).toEqual(['/node-1/web', '/node-3/lost']);
  });
  it("orders containers created in the same second by the engine's nanosecond times", () => {
    const n = fakeNode({ name: 'node-1' });
    const at = (id: string, created: string) => ({ ...fakeContainer(n, { Id: id, Created: 2000 }), created });
    const same = [
      at('aaa1', '2026-12-02T22:45:53.9Z'),
      at('bbb1', '2026-12-02T22:45:53.123456789Z'),
      at('ccc1', '2026-12-02T22:45:53.45Z'),
    ];
    const order = (q: string) => listContainers(same, listOptions(new URLSearchParams(q))).map((c) => c.Id);
    expect(order('')).toEqual(['aaa1', 'ccc1', 'bbb1']);
    expect(order('before=aaa1')).toEqual(['ccc1', 'bbb1']);
    expect(order('since=bbb1')).toEqual(['aaa1', 'ccc1']);
  });
  it('compares RFC 3339 times with fractions of any length', () => {
    expect(comparePrecise('2026-01-01T00:00:00.5Z', '2026-01-01T00:00:00.123Z')).toBe(1);
    expect(comparePrecise('2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000000001Z')).toBe(-1);
    expect(comparePrecise('2026-01-01T00:00:00.1Z', '2026-01-01T00:00:00.100Z')).toBe(0);
    expect(comparePrecise(undefined, '2026-01-01T00:00:00Z')).toBe(0);
  });
  it('refuses malformed filters with a 500, as the engine does', () => {
    expect(() => listOptions(new URLSearchParams('filters={nope'))).toThrow(/invalid filters/);
  });
  it('lists the IPv4 and IPv6 bindings of a published port once', () => {
    const ports = nodePorts(
      [
        { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
        { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
        { PrivatePort: 90, Type: 'tcp' },
      ],
      '10.0.0.1',
    );
    expect(ports).toEqual([
      { IP: '10.0.0.1', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
      { PrivatePort: 90, Type: 'tcp' },
    ]);
  });
});
