import { describe, expect, it } from 'vitest';
import { resolveUpSpec } from './spec.js';
import { fingerprint, hostRequest, kvClientPort, kvUrl } from './topology.js';

describe('resolveUpSpec', () => {
  it("defaults to the tutorial's topology", () => {
    const s = resolveUpSpec({});
    expect(s.kvHost).toBe('kv');
    expect(s.kvMembers).toBe(3);
    expect(s.hosts.map((h) => `${h.name}:${h.role}`)).toEqual([
      'master1:manager',
      'master2:manager',
      'node1:node',
    ]);
    expect(s.strategy).toBe('spread');
    expect(s.replicationTtlMs).toBe(3000);
    expect(s.registry).toBe(true);
  });

  it('takes nodes, managers, members, strategy, labels and subnet from a file; flags win', () => {
    const s = resolveUpSpec(
      {
        managers: ['m1'],
        nodes: ['n1', { name: 'n2', labels: ['disk=ssd'] }],
        kvMembers: 5,
        strategy: 'binpack',
        labels: ['zone=a'],
        subnet: '10.9.0.0/24',
      },
      { subnet: '10.8.0.0/24' },
    );
    expect(s.hosts.map((h) => h.name)).toEqual(['m1', 'n1', 'n2']);
    expect(s.hosts[2]?.labels).toEqual(['zone=a', 'disk=ssd']);
    expect(s.kvMembers).toBe(5);
    expect(s.strategy).toBe('binpack');
    expect(s.subnet).toBe('10.8.0.0/24');
  });

  it.each([
    [{ strategy: 'fastest' }, /strategy/],
    [{ kvMembers: 2 }, /odd/],
    [{ managers: [] }, /managers/],
    [{ nodes: ['Bad_Name'] }, /nodes\.0/],
    [{ managers: ['a'], nodes: ['a'] }, /declared twice/],
    [{ nodes: ['kv'] }, /declared twice/],
    [{ replicationTtl: '100ms' }, /replicationTtl/],
    [{ colour: 'blue' }, /invalid cluster file/],
  ])('refuses %j', (raw, msg) => {
    expect(() => resolveUpSpec(raw)).toThrow(msg);
  });
});

describe('topology', () => {
  const spec = resolveUpSpec({});
  it('puts KV members on distinct ports of the KV host and lists them all in the etcd URL', () => {
    expect([0, 1, 2].map(kvClientPort)).toEqual([2379, 12379, 22379]);
    expect(kvUrl(spec, '10.0.0.2')).toBe('etcd://10.0.0.2:2379,10.0.0.2:12379,10.0.0.2:22379');
  });

  it('makes managers replicated swarm masters and nodes agents, with store, advertise and mirror', () => {
    const m = hostRequest(spec, spec.hosts[0]!, '10.0.0.2', '/store');
    expect(m.swarm?.master).toBe(true);
    expect(m.swarm?.agent).toBe(true);
    expect(m.swarm?.opts).toContain('replication');
    expect(m.swarm?.opts).toContain('replication-ttl=3000ms');
    expect(m.engine?.opts).toEqual([
      'cluster-store=etcd://10.0.0.2:2379,10.0.0.2:12379,10.0.0.2:22379',
      'cluster-store-opt=kv.cacertfile=/store/machines/master1/ca.pem',
      'cluster-store-opt=kv.certfile=/store/machines/master1/cert.pem',
      'cluster-store-opt=kv.keyfile=/store/machines/master1/key.pem',
      'cluster-advertise=eth1:2376',
    ]);
    expect(m.swarm?.opts).toContain('discovery-opt=kv.certfile=/etc/shoal/certs/cert.pem');
    expect(m.engine?.registryMirror).toEqual(['http://10.0.0.2:5000']);
    const n = hostRequest(spec, spec.hosts[2]!, '10.0.0.2', '/store');
    expect(n.swarm?.master).toBe(false);
    expect(n.swarm?.joinOpts).toEqual([
      'heartbeat=2000ms',
      'ttl=6000ms',
      'discovery-opt=kv.cacertfile=/etc/shoal/certs/ca.pem',
      'discovery-opt=kv.certfile=/etc/shoal/certs/cert.pem',
      'discovery-opt=kv.keyfile=/etc/shoal/certs/key.pem',
    ]);
    expect(fingerprint(m)).not.toBe(fingerprint(n));
    expect(fingerprint(m)).toBe(fingerprint(hostRequest(spec, spec.hosts[0]!, '10.0.0.2', '/store')));
  });
});
