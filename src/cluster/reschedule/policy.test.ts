import { describe, expect, it } from 'vitest';
import type { ContainerInspect } from '../engine-types.js';
import { recreateSpec, reschedulePolicyOf, swarmIdOf } from './policy.js';

const POLICY = 'com.docker.swarm.reschedule-policies';

describe('reschedulePolicyOf', () => {
  it.each([
    [undefined, 'off'],
    [{}, 'off'],
    [{ [POLICY]: '["on-node-failure"]' }, 'on-node-failure'],
    [{ [POLICY]: '["off"]' }, 'off'],
    [{ [POLICY]: '["on-node-failure","off"]' }, 'off'],
    [{ [POLICY]: 'on-node-failure' }, 'off'],
    [{ [POLICY]: '[]' }, 'off'],
  ] as const)('%j → %s', (labels, want) => {
    expect(reschedulePolicyOf(labels)).toBe(want);
  });

  it('reads the swarm ID', () => {
    expect(swarmIdOf({ 'com.docker.swarm.id': 'abc' })).toBe('abc');
    expect(swarmIdOf(null)).toBe('');
  });
});

function inspect(over: Partial<ContainerInspect> = {}): ContainerInspect {
  return {
    Id: 'aaaaaaaaaaaa0000000000000000000000000000000000000000000000000000',
    Name: '/web',
    Created: '2026-01-01T00:00:00Z',
    Image: 'sha256:1',
    State: { Status: 'running', Running: true, Paused: false },
    Config: {
      Hostname: 'aaaaaaaaaaaa',
      Image: 'busybox',
      Env: ['A=1'],
      Cmd: ['sleep', '1d'],
      Labels: { [POLICY]: '["on-node-failure"]', 'com.docker.swarm.id': 'sid' },
    },
    HostConfig: { NetworkMode: 'front', CpuShares: 512, Memory: 0, Binds: ['data:/data'] },
    NetworkSettings: {
      Networks: {
        front: { Aliases: ['aaaaaaaaaaaa', 'www'], IPAMConfig: { IPv4Address: '10.0.9.9' } },
        back: { Aliases: ['aaaaaaaaaaaa'] },
      },
    },
    ...over,
  };
}

describe('recreateSpec', () => {
  it('rebuilds the create body: config, host config with CPUs, the first network endpoint; others to connect', () => {
    const { config, networks } = recreateSpec(inspect(), 1);
    expect(config).toEqual({
      Image: 'busybox',
      Env: ['A=1'],
      Cmd: ['sleep', '1d'],
      Labels: { [POLICY]: '["on-node-failure"]', 'com.docker.swarm.id': 'sid' },
      HostConfig: { NetworkMode: 'front', CpuShares: 1, Memory: 0, Binds: ['data:/data'] },
      NetworkingConfig: {
        EndpointsConfig: { front: { Aliases: ['www'], IPAMConfig: { IPv4Address: '10.0.9.9' } } },
      },
    });
    expect(networks).toEqual([{ name: 'back', aliases: [] }]);
  });

  it('keeps a hostname the user chose, drops CpuShares without CPUs, and skips the default bridge', () => {
    const info = inspect({
      Config: { Hostname: 'db1', Image: 'busybox' },
      HostConfig: { NetworkMode: 'default', CpuShares: 0 },
      NetworkSettings: { Networks: { bridge: { Aliases: null } } },
    });
    const { config, networks } = recreateSpec(info, 0);
    expect(config).toEqual({ Image: 'busybox', Hostname: 'db1', HostConfig: { NetworkMode: 'default' } });
    expect(networks).toEqual([]);
  });
});
