import { describe, expect, it } from 'vitest';
import { stripNodePrefixes } from './swarm-config.js';

describe('stripNodePrefixes', () => {
  it('strips node/ from endpoint names and NetworkMode of known nodes only', () => {
    const body = {
      Image: 'x',
      HostConfig: { NetworkMode: 'node-1/mynet', Memory: 5 },
      NetworkingConfig: {
        EndpointsConfig: { 'node-1/mynet': { Aliases: ['a'] }, 'other/net': {}, plain: {} },
      },
    };
    const out = stripNodePrefixes(body, new Set(['node-1', 'node-2']));
    expect(out.NetworkingConfig).toEqual({
      EndpointsConfig: { mynet: { Aliases: ['a'] }, 'other/net': {}, plain: {} },
    });
    expect(out.HostConfig).toEqual({ NetworkMode: 'mynet', Memory: 5 });
    expect(body.HostConfig.NetworkMode).toBe('node-1/mynet');
  });

  it('leaves bodies without node prefixes as they are', () => {
    const body = { Image: 'x', HostConfig: { NetworkMode: 'bridge' } };
    expect(stripNodePrefixes(body, new Set(['node-1']))).toEqual(body);
  });
});
