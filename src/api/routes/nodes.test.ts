import { describe, expect, it } from 'vitest';
import { fakeNode } from '../../testkit/fake-cluster.js';
import type { ApiNodeControl } from '../context.js';
import { nodePairs } from '../info.js';
import { resolveNode, swarmModeNode } from './nodes.js';

const control: ApiNodeControl = {
  state: (id) => ({
    availability: id === 'AAAA:1' ? 'drain' : 'active',
    version: 7,
    updatedAt: 1_700_000_000_000,
  }),
  setAvailability: async () => undefined,
  drainStatus: () => undefined,
  pending: () => [],
};

describe('node routes', () => {
  const a = fakeNode({
    name: 'n1',
    id: 'AAAA:1',
    addr: '10.0.0.1:2376',
    ip: '10.0.0.1',
    serverVersion: '20.10.24',
  });
  const b = fakeNode({ name: 'n2', id: 'AABB:2', addr: '10.0.0.2:2376', ip: '10.0.0.2', state: 'unhealthy' });

  it.each([
    ['AAAA:1', 'n1'],
    ['n2', 'n2'],
    ['AAB', 'n2'],
  ])('resolves %s to %s', (ref, name) => {
    expect(resolveNode([a, b], ref).name).toBe(name);
  });

  it.each(['AA', 'x', ''])('refuses %j with 404 "No such node"', (ref) => {
    expect(() => resolveNode([a, b], ref)).toThrow(`No such node: ${ref}`);
  });

  it('shows a node in the Swarm-mode shape the docker CLI reads', () => {
    expect(swarmModeNode(a, control)).toMatchObject({
      ID: 'AAAA:1',
      Version: { Index: 7 },
      Spec: { Role: 'worker', Availability: 'drain', Labels: {} },
      Description: { Hostname: 'n1', Engine: { EngineVersion: '20.10.24' } },
      Status: { State: 'ready', Addr: '10.0.0.1' },
    });
    expect(swarmModeNode(b, control)).toMatchObject({ Status: { State: 'down' } });
  });

  it('docker info adds one Availability line after Status when the manager keeps availability', () => {
    const keys = nodePairs({ ...a, availability: 'pause' }).map(([k, v]) => `${k}: ${v}`);
    expect(keys.slice(2, 4)).toEqual(['  └ Status: Healthy', '  └ Availability: pause']);
    expect(nodePairs(a).some(([k]) => k.includes('Availability'))).toBe(false);
  });
});
