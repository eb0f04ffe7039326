import { describe, expect, it } from 'vitest';
import { container, node, request } from '../../testkit/scheduler-fixtures.js';
import type { PlacementRequest } from '../types.js';
import { DependencyFilter } from './dependency-filter.js';

const f = new DependencyFilter();
const web = container('web').id('a'.repeat(64)).label('com.docker.swarm.id', 'f'.repeat(64));
const n1 = node('n1').container(web, container('db').state('exited')).build();

describe('DependencyFilter', () => {
  it.each<[string, PlacementRequest, boolean]>([
    ['no dependencies', request().build(), true],
    ['--volumes-from by name', request().volumesFrom('web').build(), true],
    ['--volumes-from with mode', request().volumesFrom('web:ro').build(), true],
    ['--volumes-from missing', request().volumesFrom('nope').build(), false],
    ['--link with alias', request().link('db:database').build(), true],
    ['--link to a stopped container still counts', request().link('db').build(), true],
    ['--link missing', request().link('cache:c').build(), false],
    ['--net=container: by name', request().net('container:web').build(), true],
    [
      '--net=container: by full ID',
      request()
        .net(`container:${'a'.repeat(64)}`)
        .build(),
      true,
    ],
    [
      '--net=container: by short ID',
      request()
        .net(`container:${'a'.repeat(12)}`)
        .build(),
      true,
    ],
    ['by unique ID prefix', request().link('aaaa').build(), true],
    ['by swarm ID', request().link('f'.repeat(12)).build(), true],
    ['by node-qualified name', request().link('n1/web').build(), true],
    ['by other node name', request().link('n2/web').build(), false],
    ['all must be present', request().volumesFrom('web').link('cache').build(), false],
  ])('%s', (_t, req, want) => {
    expect(f.check(req, n1).ok).toBe(want);
  });

  it('explains what is missing and lists the flags', () => {
    const req = request().volumesFrom('web').link('cache:c').net('container:x').build();
    expect(f.check(req, n1)).toEqual({ ok: false, reason: 'missing --link=cache:c --net=container:x' });
    expect(f.describe(req)).toBe('--volumes-from=web --link=cache:c --net=container:x');
  });
});
