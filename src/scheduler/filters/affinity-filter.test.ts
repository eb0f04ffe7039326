import { describe, expect, it } from 'vitest';
import { container, node, request } from '../../testkit/scheduler-fixtures.js';
import type { PlacementRequest } from '../types.js';
import { AffinityFilter } from './affinity-filter.js';

const f = new AffinityFilter();
const n1 = node('n1')
  .container(
    container('redis').id('b'.repeat(64)).label('app', 'cache'),
    container('old').state('exited').label('tier', 'back'),
    container().names(),
  )
  .image('redis:7', 'sha256:redisid')
  .image('localhost:5000/team/app:1.2', 'sha256:appid')
  .build();
const empty = node('n2').build();

describe('AffinityFilter', () => {
  it.each<[string, PlacementRequest, boolean, boolean]>([
    // [title, request, passes on n1, passes on the empty node n2]
    ['container by name', request().affinity('container==redis').build(), true, false],
    [
      'container by full ID',
      request()
        .affinity(`container==${'b'.repeat(64)}`)
        .build(),
      true,
      false,
    ],
    [
      'container by short ID does not match (Swarm compares full IDs)',
      request()
        .affinity(`container==${'b'.repeat(12)}`)
        .build(),
      false,
      false,
    ],
    ['container glob', request().affinity('container==re*').build(), true, false],
    ['stopped container counts', request().affinity('container==old').build(), true, false],
    ['container !=', request().affinity('container!=redis').build(), false, true],
    ['image by tag', request().affinity('image==redis:7').build(), true, false],
    ['image by repo without tag', request().affinity('image==redis').build(), true, false],
    ['image by ID', request().affinity('image==sha256:redisid').build(), true, false],
    [
      'image repo with registry port',
      request().affinity('image==localhost:5000/team/app').build(),
      true,
      false,
    ],
    ['image !=', request().affinity('image!=redis').build(), false, true],
    ['container label', request().affinity('app==cache').build(), true, false],
    ['container label !=', request().affinity('app!=cache').build(), false, true],
    ['missing label is empty: glob * matches it', request().affinity('zone==*').build(), true, false],
    ['label on a stopped container', request().affinity('tier==back').build(), true, false],
    ['regex', request().affinity('container==/^red/').build(), true, false],
    [
      'all affinities must hold',
      request().affinity('container==redis').affinity('image==nginx').build(),
      false,
      false,
    ],
  ])('%s', (_t, req, onN1, onEmpty) => {
    expect(f.check(req, n1, { soft: true }).ok).toBe(onN1);
    expect(f.check(req, empty, { soft: true }).ok).toBe(onEmpty);
  });

  it('soft affinities only apply in pass 1', () => {
    const req = request().affinity('container==~nope').build();
    expect(f.check(req, n1, { soft: true }).ok).toBe(false);
    expect(f.check(req, n1, { soft: false }).ok).toBe(true);
  });

  it('explains and describes', () => {
    const req = request().affinity('image==~nginx').affinity('container!=redis').build();
    expect(f.check(req, n1, { soft: true })).toEqual({
      ok: false,
      reason: 'image==nginx (soft): no image matches',
    });
    expect(f.check(req, n1, { soft: false })).toEqual({
      ok: false,
      reason: 'container!=redis: a container matches',
    });
    expect(f.describe(req)).toBe('image==nginx container!=redis');
    expect(f.condition(req)).toBe('image==nginx (soft=true) container!=redis (soft=false)');
  });
});
