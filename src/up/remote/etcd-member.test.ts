import { describe, expect, it } from 'vitest';
import { memberArgv, SHIPPED_ETCD, supervisorScript, systemdUnit } from './etcd-member.js';
import { resolveHostsFile } from './hosts-file.js';
import { remotePlan } from './plan.js';

const plan = remotePlan(
  resolveHostsFile(
    {
      hosts: [
        { name: 'h1', ip: '192.0.2.1', roles: ['kv', 'manager'] },
        { name: 'h2', ip: '192.0.2.2', roles: ['kv'] },
        { name: 'h3', ip: '192.0.2.3', roles: ['kv'] },
      ],
    },
    'h.json',
  ),
);
const m = plan.hosts[1]?.member;

describe('memberArgv', () => {
  it('runs a static TLS member with the v2 API, named after its host', () => {
    if (!m) throw new Error('no member');
    const argv = memberArgv(plan, m, SHIPPED_ETCD);
    expect(argv[0]).toBe('/var/lib/shoal/etcd/bin/etcd');
    expect(argv).toContain('--name=h2');
    expect(argv).toContain('--listen-client-urls=https://192.0.2.2:2379');
    expect(argv).toContain('--initial-advertise-peer-urls=https://192.0.2.2:2380');
    expect(argv).toContain(
      '--initial-cluster=h1=https://192.0.2.1:2380,h2=https://192.0.2.2:2380,h3=https://192.0.2.3:2380',
    );
    expect(argv).toContain('--enable-v2=true');
    expect(argv).toContain('--client-cert-auth');
    expect(argv).toContain('--peer-client-cert-auth');
    expect(argv).toContain('--trusted-ca-file=/var/lib/shoal/etcd/tls/ca.pem');
  });
});

describe('restart on failure', () => {
  const argv = ['/usr/bin/etcd', '--name=h2'];
  it('as a systemd unit that always restarts', () => {
    const unit = systemdUnit(argv);
    expect(unit).toContain('ExecStart=/usr/bin/etcd --name=h2');
    expect(unit).toContain('Restart=always');
    expect(unit).toContain('WantedBy=multi-user.target');
  });
  it('as a supervisor loop that records the child and stops it on TERM', () => {
    const sh = supervisorScript(argv);
    expect(sh).toContain("  '/usr/bin/etcd' '--name=h2' &");
    expect(sh).toContain('echo "$child" > /var/lib/shoal/etcd/etcd.pid');
    expect(sh).toMatch(/trap .*kill "\$child".* TERM INT/);
    expect(sh).toMatch(/while :; do[\s\S]*sleep 1\ndone/);
  });
});
