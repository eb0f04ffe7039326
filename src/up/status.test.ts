import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { parseManagerInfo } from './manager-info.js';
import { formatStatus } from './status.js';

describe('parseManagerInfo', () => {
  it("reads role, primary, node count and healthy nodes from Swarm's SystemStatus", () => {
    const body = JSON.stringify({
      SystemStatus: [
        ['Role', 'replica'],
        ['Primary', '10.0.0.3:3376'],
        ['Strategy', 'spread'],
        ['Nodes', '2'],
        [' a', '10.0.0.3:2376'],
        ['  └ Status', 'Healthy'],
        [' b', '10.0.0.4:2376'],
        ['  └ Status', 'Unhealthy'],
      ],
    });
    expect(parseManagerInfo(body)).toEqual({
      role: 'replica',
      primary: '10.0.0.3:3376',
      nodes: 2,
      healthy: 1,
      strategy: 'spread',
    });
    expect(parseManagerInfo('{}')).toEqual({ role: 'unknown', nodes: 0, healthy: 0 });
  });
});

describe('formatStatus', () => {
  it('prints hosts, KV members, registry and the primary', () => {
    const text = formatStatus({
      hosts: [
        { name: 'kv', role: 'kv', ip: '10.0.0.2', state: 'Running', engine: 'ok' },
        {
          name: 'master1',
          role: 'manager',
          ip: '10.0.0.3',
          state: 'Running',
          engine: 'ok',
          manager: 'primary',
          nodes: '3/3',
        },
      ],
      kv: [
        { name: 'shoal-kv-0', endpoint: '10.0.0.2:2379', reachable: true, leader: true },
        { name: 'shoal-kv-1', endpoint: '10.0.0.2:12379', reachable: false, leader: false },
      ],
      registry: { address: '10.0.0.2:5000', running: true, busybox: true },
      primary: '10.0.0.3:3376',
    });
    expect(text).toContain('master1  manager  10.0.0.3  Running  ok      primary  3/3');
    expect(text).toContain('KV members (1/2 healthy):');
    expect(text).toContain('shoal-kv-1  10.0.0.2:12379  unreachable');
    expect(text).toContain('Registry mirror: 10.0.0.2:5000 running, holds busybox');
    expect(text).toContain('Primary manager: 10.0.0.3:3376');
  });
});
