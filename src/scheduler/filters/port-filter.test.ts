import { describe, expect, it } from 'vitest';
import { container, node, request } from '../../testkit/scheduler-fixtures.js';
import type { ContainerSnapshot, Filter, PlacementRequest } from '../types.js';
import { PortFilter } from './port-filter.js';

const f: Filter = new PortFilter();
const soft = { soft: true };

function fits(req: PlacementRequest, ...cs: ContainerSnapshot[]): boolean {
  return f.check(
    req,
    node('n1')
      .container(...cs)
      .build(),
    soft,
  ).ok;
}

describe('PortFilter, bridge mode', () => {
  it.each<[string, PlacementRequest, ContainerSnapshot[], boolean]>([
    ['empty node', request().port('80:80').build(), [], true],
    [
      'same host port, all interfaces',
      request().port('80:80').build(),
      [container('a').port('80:80').build()],
      false,
    ],
    ['different host port', request().port('81:80').build(), [container('a').port('80:80').build()], true],
    [
      'stopped container still owns its port',
      request().port('80:80').build(),
      [container('a').port('80:80').state('exited').build()],
      false,
    ],
    [
      'pending container (requested bindings) owns its port',
      request().port('80:80').build(),
      [container('a').port('80:80').state('pending').build()],
      false,
    ],
    [
      'dynamic -p 80 published on host port 32768',
      request().port('32768:80').build(),
      [container('a').port('80').published('32768:80').build()],
      false,
    ],
    [
      'request without host port imposes nothing',
      request().port('80').build(),
      [container('a').port('80:80').build()],
      true,
    ],
    [
      'holder without host port holds nothing',
      request().port('80:80').build(),
      [container('a').port('80').build()],
      true,
    ],
    [
      'same IP collides',
      request().port('10.0.0.1:80:80').build(),
      [container('a').port('10.0.0.1:80:80').build()],
      false,
    ],
    [
      'different IPs coexist',
      request().port('10.0.0.1:80:80').build(),
      [container('a').port('10.0.0.2:80:80').build()],
      true,
    ],
    [
      'specific IP vs holder on all interfaces',
      request().port('10.0.0.1:80:80').build(),
      [container('a').port('0.0.0.0:80:80').build()],
      false,
    ],
    [
      'all interfaces vs holder on a specific IP',
      request().port('80:80').build(),
      [container('a').port('10.0.0.2:80:80').build()],
      false,
    ],
    [
      '`::` counts as all interfaces (HEAD)',
      request().port('[::]:80:80').build(),
      [container('a').port('10.0.0.2:80:80').build()],
      false,
    ],
    [
      'holder on `::` blocks a specific IP',
      request().port('10.0.0.1:80:80').build(),
      [container('a').port('[::]:80:80').build()],
      false,
    ],
    // Kept quirk: the protocol is not compared (Swarm compares host ports only).
    [
      'tcp 53 and udp 53 collide',
      request().port('53:53/udp').build(),
      [container('a').port('53:53/tcp').build()],
      false,
    ],
    [
      'published port of a running container',
      request().port('8080:80').build(),
      [container('a').published('8080:80').build()],
      false,
    ],
    [
      'second binding collides',
      request().port('81:81').port('80:80').build(),
      [container('a').port('80:80').build()],
      false,
    ],
    [
      'host-network holders do not block bridge bindings unless they bind the port',
      request().port('80:80').build(),
      [container('a').net('host').expose('80/tcp').build()],
      true,
    ],
  ])('%s', (_title, req, cs, want) => {
    expect(fits(req, ...cs)).toBe(want);
  });

  it('explains who holds the port', () => {
    const v = f.check(
      request().port('80:80').build(),
      node('n1').container(container('web').port('80:80').state('exited')).build(),
      soft,
    );
    expect(v).toEqual({ ok: false, reason: 'port 80 taken by container web (exited, 0.0.0.0:80)' });
  });

  it('describes requested host ports like Swarm', () => {
    expect(f.describe(request().port('80:80').port('443:443').port('90').build(), soft)).toBe(
      'port 80 (Bridge mode) port 443 (Bridge mode)',
    );
  });
});

describe('PortFilter, host mode', () => {
  it.each<[string, PlacementRequest, ContainerSnapshot[], boolean]>([
    ['empty node', request().net('host').expose('80/tcp').build(), [], true],
    [
      'another host-network container exposes the key',
      request().net('host').expose('80/tcp').build(),
      [container('a').net('host').expose('80/tcp').build()],
      false,
    ],
    [
      'a stopped host-network container still counts',
      request().net('host').expose('80/tcp').build(),
      [container('a').net('host').expose('80/tcp').state('exited').build()],
      false,
    ],
    [
      'different protocol is a different key',
      request().net('host').expose('80/udp').build(),
      [container('a').net('host').expose('80/tcp').build()],
      true,
    ],
    [
      'bridge container exposing the key does not count',
      request().net('host').expose('80/tcp').build(),
      [container('a').expose('80/tcp').port('80:80').build()],
      true,
    ],
    [
      'nothing exposed imposes nothing',
      request().net('host').build(),
      [container('a').net('host').expose('80/tcp').build()],
      true,
    ],
  ])('%s', (_title, req, cs, want) => {
    expect(fits(req, ...cs)).toBe(want);
  });

  it('describes exposed ports', () => {
    expect(f.describe(request().net('host').expose('80/tcp').build(), soft)).toBe('port 80/tcp (Host mode)');
  });
});
