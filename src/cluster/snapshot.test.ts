import { describe, expect, it } from 'vitest';
import { cached, hexId } from '../testkit/cluster-fixtures.js';
import { snapshotOf, withOvercommit } from './snapshot.js';

describe('withOvercommit (integer arithmetic as Swarm)', () => {
  it.each([
    [2, 0.05, 2],
    [20, 0.05, 21],
    [2_000_000_000, 0.05, 2_100_000_000],
    [4, 0.5, 6],
    [4, -0.5, 2],
    [4, 0.009, 4],
    [3, 0, 3],
  ])('%i with %f → %i', (real, ratio, want) => {
    expect(withOvercommit(real, ratio)).toBe(want);
  });
});

describe('snapshotOf', () => {
  it('includes cached and pending containers with ports and resources', () => {
    const c = cached({
      id: hexId('1'),
      name: 'web',
      cpuShares: 512, // real shares on a 2-CPU engine = 1 CPU
      memory: 64,
      ports: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] },
    });
    const engine = {
      id: 'ID1',
      name: 'node-1',
      addr: '10.0.0.1:2376',
      ip: '10.0.0.1',
      labels: { region: 'eu' },
      state: 'healthy' as const,
      healthIndicator: 100,
      cpus: 2,
      memory: 1000,
      cache: { containers: () => [c], images: () => [{ Id: 'sha256:i', RepoTags: ['busybox:latest'] }] },
    };
    const pending = { ...snapshotOf(engine, 0).containers[0]!, id: 'pending-1', state: 'pending' };
    const snap = snapshotOf(engine, 0.05, [pending]);
    expect(snap.totalCpus).toBe(2);
    expect(snap.totalMemory).toBe(1050);
    expect(snap.containers.map((x) => x.id)).toEqual([hexId('1'), 'pending-1']);
    expect(snap.containers[0]).toMatchObject({
      names: ['web'],
      cpus: 1,
      memory: 64,
      requestedPorts: [{ containerPort: '80/tcp', hostIp: '', hostPort: '8080' }],
      publishedPorts: [{ containerPort: '80/tcp', hostIp: '', hostPort: '8080' }],
      exposedPorts: ['80/tcp'],
    });
    expect(snap.images).toEqual([{ id: 'sha256:i', repoTags: ['busybox:latest'] }]);
  });
});
