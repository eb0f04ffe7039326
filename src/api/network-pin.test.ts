import { describe, expect, it } from 'vitest';
import { parseExpression } from '../scheduler/index.js';
import { fakeCluster, fakeNode } from '../testkit/fake-cluster.js';
import { joinedNetworks, pinToNetworkNodes } from './network-pin.js';

describe('network pins', () => {
  it.each([
    [{}, []],
    [{ HostConfig: { NetworkMode: 'bridge' } }, []],
    [{ HostConfig: { NetworkMode: 'container:web' } }, []],
    [
      { HostConfig: { NetworkMode: 'c2_testn' }, NetworkingConfig: { EndpointsConfig: { c2_testn: {} } } },
      ['c2_testn'],
    ],
    [{ NetworkingConfig: { EndpointsConfig: { a: {}, host: {} } } }, ['a']],
  ])('joinedNetworks(%j) = %j', (body, want) => {
    expect(joinedNetworks(body)).toEqual(want);
  });

  it('a node/network reference pins the container to the node and names the plain network', async () => {
    const cluster = fakeCluster([fakeNode({ name: 'node-1', ip: '10.0.0.1', addr: '10.0.0.1:2376' })]);
    const body = {
      Env: ['A=1'],
      HostConfig: { NetworkMode: 'node-1/testn' },
      NetworkingConfig: { EndpointsConfig: { 'node-1/testn': { Aliases: ['x'] } } },
    };
    await pinToNetworkNodes(cluster, body);
    expect(body).toEqual({
      Env: ['A=1', 'constraint:node==node-1'],
      HostConfig: { NetworkMode: 'testn' },
      NetworkingConfig: { EndpointsConfig: { testn: { Aliases: ['x'] } } },
    });
    expect(parseExpression('node==node-1').key).toBe('node');
  });
});
