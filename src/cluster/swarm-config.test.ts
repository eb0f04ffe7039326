import { describe, expect, it } from 'vitest';
import type { CreateBody } from '../scheduler/request.js';
import { cpusToShares, engineCreateBody, sharesToCpus, stripNodePrefixes } from './swarm-config.js';

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

describe('CPU shares conversion', () => {
  it.each([
    [1, 4, 256],
    [1, 3, 342], // ceil(341.33)
    [2, 1, 2048],
    [0, 4, 0],
    [0.5, 2, 256],
  ])('%d CPUs on a %d-CPU engine → %d shares', (cpus, engine, shares) => {
    expect(cpusToShares(cpus, engine)).toBe(shares);
  });

  it.each([
    [256, 4, 1],
    [342, 3, 1], // trunc(1.0019)
    [1024, 4, 4],
    [100, 4, 0],
    [0, 4, 0],
  ])('%d shares on a %d-CPU engine → %d CPUs', (shares, engine, cpus) => {
    expect(sharesToCpus(shares, engine)).toBe(cpus);
  });

  it('rewrites a body for one engine, leaving the input alone', () => {
    const body: CreateBody = { HostConfig: { CpuShares: 2, Memory: 1 } };
    expect(engineCreateBody(body, 4).HostConfig).toEqual({ CpuShares: 512, Memory: 1 });
    expect(body.HostConfig?.CpuShares).toBe(2);
    expect(engineCreateBody({ HostConfig: {} }, 4)).toEqual({ HostConfig: {} });
  });
});
