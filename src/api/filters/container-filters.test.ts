import { describe, expect, it } from 'vitest';
import type { ClusterError } from '../../util/errors.js';
import { compileContainerFilter, type FilterableContainer, healthOf } from './container-filters.js';
import { parseFilterArgs } from './filter-args.js';

function container(
  id: string,
  over: Partial<FilterableContainer['summary']> = {},
  nodeName = 'n1',
): FilterableContainer {
  return {
    id,
    nodeName,
    nodeId: `ID-${nodeName}`,
    summary: {
      Names: [`/${id}`],
      ImageID: 'sha256:img',
      State: 'running',
      Status: 'Up 1 second',
      Labels: {},
      ...over,
    },
  };
}

const web = container('web1', {
  Labels: { tier: 'front', 'com.docker.swarm.id': 'x' },
  Ports: [
    { PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    { PrivatePort: 90, Type: 'tcp' },
  ],
  Mounts: [{ Name: 'data', Source: '/var/lib/docker/volumes/data/_data', Destination: '/data' }],
  NetworkSettings: { Networks: { front: { NetworkID: 'abc123' } } },
  Status: 'Up 2 minutes (healthy)',
});
const db = container(
  'db1',
  {
    State: 'exited',
    Status: 'Exited (3) 1 hour ago',
    ImageID: 'sha256:other',
    Mounts: [{ Source: '/srv', Destination: '/x' }],
  },
  'n2',
);
const task = container('task1', {
  Labels: { 'com.docker.swarm.task.id': 't' },
  Status: 'Up 1 second (health: starting)',
});
const all = [web, db, task];

const ids = (filters: string, opts = {}) => {
  const f = compileContainerFilter(parseFilterArgs(filters), opts);
  return all.filter((c) => f.test(c)).map((c) => c.id);
};

describe('compileContainerFilter (dockerd 20.10 semantics)', () => {
  it.each([
    ['{}', ['web1', 'db1', 'task1']],
    ['{"name":["web"]}', ['web1']],
    ['{"name":["^/db"]}', ['db1']],
    ['{"id":["b1"]}', ['web1', 'db1']],
    ['{"label":["tier"]}', ['web1']],
    ['{"label":["tier=back"]}', []],
    ['{"status":["exited"]}', ['db1']],
    ['{"exited":["3"]}', ['db1']],
    ['{"exited":["0"]}', []],
    ['{"publish":["8080"]}', ['web1']],
    ['{"publish":["80"]}', []],
    ['{"publish":["8000-8100/tcp"]}', ['web1']],
    ['{"expose":["90"]}', ['web1']],
    ['{"expose":["80/udp"]}', []],
    ['{"volume":["data"]}', ['web1']],
    ['{"volume":["/x"]}', ['db1']],
    ['{"volume":["/srv"]}', ['db1']],
    ['{"network":["front"]}', ['web1']],
    ['{"network":["abc"]}', ['web1']],
    ['{"network":["n1/front"]}', ['web1']],
    ['{"network":["n2/front"]}', []],
    ['{"health":["healthy"]}', ['web1']],
    ['{"health":["starting"]}', ['task1']],
    ['{"health":["none"]}', ['db1']],
    ['{"is-task":["true"]}', ['task1']],
    ['{"is-task":["false"]}', ['web1', 'db1']],
    ['{"isolation":["default"]}', ['web1', 'db1', 'task1']],
    ['{"node":["n2"]}', ['db1']],
    ['{"node":["ID-n1"]}', ['web1', 'task1']],
    ['{"ancestor":["busybox"]}', ['web1', 'task1']],
  ])('%s → %j', (filters, want) => {
    const splitNode = (ref: string) => {
      const [node, name] = ref.split('/');
      return name !== undefined ? { node: node as string, name } : { name: ref };
    };
    expect(ids(filters, { ancestors: new Set(['sha256:img']), splitNode })).toEqual(want);
  });

  it.each([
    ['{"foo":["1"]}', 400, "Invalid filter 'foo'"],
    ['{"status":["up"]}', 400, "Invalid filter 'status=up'"],
    ['{"is-task":["x"]}', 400, "Invalid filter 'is-task=[x]'"],
    ['{"is-task":["true","false"]}', 400, "Invalid filter 'is-task=[true false]'"],
    ['{"health":["ok"]}', 400, 'Unrecognised filter value for health: ok'],
    ['{"exited":["x"]}', 500, 'strconv.Atoi: parsing "x": invalid syntax'],
    [
      '{"publish":["x"]}',
      500,
      'error while looking up for publish x: strconv.ParseUint: parsing "x": invalid syntax',
    ],
    ['{"expose":["1:2"]}', 500, "filter for 'expose' should not contain ':': 1:2"],
  ])('%s is refused with %i %s', (filters, status, message) => {
    const run = () => compileContainerFilter(parseFilterArgs(filters));
    expect(run).toThrow(message);
    try {
      run();
    } catch (err) {
      expect((err as ClusterError).httpStatus).toBe(status);
    }
  });

  it('implies all for a status filter and hands back before/since refs', () => {
    const f = compileContainerFilter(parseFilterArgs('{"status":["exited"],"before":["a"],"since":["b"]}'));
    expect([f.impliesAll, f.before, f.since]).toEqual([true, 'a', 'b']);
  });

  it.each([
    ['Up 2 minutes (healthy)', 'healthy'],
    ['Up 2 minutes (unhealthy)', 'unhealthy'],
    ['Up 1 second (health: starting)', 'starting'],
    ['Up 2 minutes', 'none'],
  ])('healthOf(%s) = %s', (status, want) => {
    expect(healthOf(status)).toBe(want);
  });
});
