import { describe, expect, it } from 'vitest';
import { resolveHostsFile } from './hosts-file.js';
import { remotePlan } from './plan.js';

const spec = (hosts: { name: string; ip: string; roles: string[] }[]) =>
  resolveHostsFile({ hosts, replicationTtl: '4s', heartbeat: '1s' }, '/x/h.json');

describe('remotePlan', () => {
  const plan = remotePlan(
    spec([
      { name: 'h1', ip: '192.0.2.1', roles: ['kv', 'manager'] },
      { name: 'h2', ip: '192.0.2.2', roles: ['kv', 'manager'] },
      { name: 'h3', ip: '192.0.2.3', roles: ['kv'] },
      { name: 'n1', ip: '192.0.2.4', roles: ['node'] },
    ]),
  );

  it('spreads one member per kv host with TLS URLs', () => {
    expect(plan.hosts.map((h) => h.member?.clientUrl)).toEqual([
      'https://192.0.2.1:2379',
      'https://192.0.2.2:2379',
      'https://192.0.2.3:2379',
      undefined,
    ]);
    expect(plan.initialCluster).toBe(
      'h1=https://192.0.2.1:2380,h2=https://192.0.2.2:2380,h3=https://192.0.2.3:2380',
    );
    expect(plan.discovery).toBe('etcd://192.0.2.1:2379,192.0.2.2:2379,192.0.2.3:2379');
  });

  it('makes engines only on manager and node hosts, with the ports they need', () => {
    expect(plan.hosts.map((h) => [h.host.name, h.machine !== undefined, h.ports.join(',')])).toEqual([
      ['h1', true, '2379,2380,2376,3376'],
      ['h2', true, '2379,2380,2376,3376'],
      ['h3', false, '2379,2380'],
      ['n1', true, '2376'],
    ]);
  });

  it('gives each engine the cluster store over TLS and the swarm flags of machine create', () => {
    const m = plan.hosts[0]?.machine;
    expect(m?.driver).toBe('generic');
    expect(m?.driverFlags).toEqual({
      'generic-ip-address': '192.0.2.1',
      'generic-ssh-user': 'root',
      'generic-ssh-port': 22,
    });
    expect(m?.engine?.opts).toEqual([
      'cluster-store=etcd://192.0.2.1:2379,192.0.2.2:2379,192.0.2.3:2379',
      'cluster-store-opt=kv.cacertfile=/var/lib/shoal/certs/ca.pem',
      'cluster-store-opt=kv.certfile=/var/lib/shoal/certs/cert.pem',
      'cluster-store-opt=kv.keyfile=/var/lib/shoal/certs/key.pem',
      'cluster-advertise=192.0.2.1:2376',
    ]);
    expect(m?.swarm).toMatchObject({ agent: true, master: true, strategy: 'spread' });
    expect(m?.swarm?.opts).toContain('replication-ttl=4000ms');
    expect(m?.swarm?.opts).toContain('discovery-opt=kv.certfile=/etc/shoal/certs/cert.pem');
    const n = plan.hosts[3]?.machine;
    expect(n?.swarm).toMatchObject({ agent: true, master: false, opts: [] });
    expect(n?.swarm?.joinOpts).toEqual([
      'heartbeat=1000ms',
      'ttl=3000ms',
      'discovery-opt=kv.cacertfile=/etc/shoal/certs/ca.pem',
      'discovery-opt=kv.certfile=/etc/shoal/certs/cert.pem',
      'discovery-opt=kv.keyfile=/etc/shoal/certs/key.pem',
    ]);
  });

  it('gives members on one machine distinct ports', () => {
    const p = remotePlan(
      spec([
        { name: 'h1', ip: '192.0.2.1', roles: ['kv', 'manager'] },
        { name: 'h1b', ip: '192.0.2.1', roles: ['kv'] },
        { name: 'h2', ip: '192.0.2.2', roles: ['kv'] },
      ]),
    );
    expect(p.kvEndpoints).toEqual(['192.0.2.1:2379', '192.0.2.1:12379', '192.0.2.2:2379']);
  });
});
