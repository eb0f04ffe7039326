import { describe, expect, it } from 'vitest';
import { buildSwarmOptions } from '../create-options.js';
import { optFlags, swarmContainerSpecs, swarmImage } from './swarm-containers.js';

describe('swarmContainerSpecs (docker-machine swarm containers)', () => {
  it('starts nothing for a host outside a swarm', () => {
    expect(swarmContainerSpecs(buildSwarmOptions({}), '10.0.0.3', 2376, '/m/swarm')).toEqual([]);
  });

  it('gives a master shoal-agent-master (manage on 3376, TLS, replication TTL) and shoal-agent (join)', () => {
    const so = buildSwarmOptions({
      agent: true,
      master: true,
      discovery: 'etcd://10.0.0.2:2379',
      strategy: 'binpack',
      opts: ['replication'],
      joinOpts: ['heartbeat=2s'],
    });
    const [master, agent] = swarmContainerSpecs(so, '10.0.0.3', 2376, '/m/swarm');
    expect(master?.name).toBe('shoal-agent-master');
    expect(master?.args).toEqual([
      '--restart',
      'always',
      '--net',
      'host',
      '--label',
      'org.shoal.swarm=1',
      '-v',
      '/m/swarm:/etc/shoal/certs:ro',
      'shoal:0.1.0',
      'manage',
      '--tlsverify',
      '--tlscacert=/etc/shoal/certs/ca.pem',
      '--tlscert=/etc/shoal/certs/server.pem',
      '--tlskey=/etc/shoal/certs/server-key.pem',
      '-H',
      'tcp://0.0.0.0:3376',
      '--strategy',
      'binpack',
      '--advertise',
      '10.0.0.3:3376',
      '--replication',
      '--replication-ttl=3s',
      'etcd://10.0.0.2:2379',
    ]);
    expect(agent?.name).toBe('shoal-agent');
    expect(agent?.args.slice(-6)).toEqual([
      'shoal:0.1.0',
      'join',
      '--advertise',
      '10.0.0.3:2376',
      '--heartbeat=2s',
      'etcd://10.0.0.2:2379',
    ]);
  });

  it('keeps a given replication TTL, honours --swarm-addr, --swarm-host and --swarm-image', () => {
    const so = buildSwarmOptions({
      agent: true,
      master: true,
      discovery: 'etcd://k:2379',
      opts: ['replication', 'replication-ttl=10s'],
      host: 'tcp://0.0.0.0:4000',
      addr: '10.9.9.9:2376',
      image: 'my/shoal:dev',
    });
    const [master, agent] = swarmContainerSpecs(so, '10.0.0.3', 2376, '/d');
    expect(master?.args.filter((a) => a.startsWith('--replication-ttl'))).toEqual(['--replication-ttl=10s']);
    expect(master?.args).toContain('10.0.0.3:4000');
    expect(master?.args).toContain('my/shoal:dev');
    expect(agent?.args).toContain('10.9.9.9:2376');
  });

  it('maps options and the classic image name', () => {
    expect(optFlags(['a=b', 'c', '--d=e'])).toEqual(['--a=b', '--c', '--d=e']);
    expect(swarmImage(buildSwarmOptions({}))).toBe('shoal:0.1.0');
  });
});
