import { describe, expect, it } from 'vitest';
import { isHostsFile, resolveHostsFile } from './hosts-file.js';

const host = (name: string, ip: string, roles: string[], extra: Record<string, unknown> = {}) => ({
  name,
  driver: 'generic',
  ip,
  sshUser: 'admin',
  sshKey: 'keys/id_ed25519',
  roles,
  ...extra,
});

const three = [
  host('h1', '192.0.2.1', ['kv', 'manager']),
  host('h2', '192.0.2.2', ['kv', 'manager']),
  host('h3', '192.0.2.3', ['kv', 'node']),
];

describe('resolveHostsFile', () => {
  it('fills defaults and resolves the key next to the file', () => {
    const s = resolveHostsFile({ hosts: three, labels: ['zone=lab'] }, '/etc/shoal/hosts.json');
    expect(s.hosts.map((h) => `${h.name}@${h.ip}:${h.sshPort} ${h.roles.join('+')}`)).toEqual([
      'h1@192.0.2.1:22 kv+manager',
      'h2@192.0.2.2:22 kv+manager',
      'h3@192.0.2.3:22 kv+node',
    ]);
    expect(s.hosts[0]?.sshKey).toBe('/etc/shoal/keys/id_ed25519');
    expect(s.hosts[0]?.labels).toEqual(['zone=lab']);
    expect(s.strategy).toBe('spread');
    expect(s.replicationTtlMs).toBe(3000);
    expect(s.heartbeatMs).toBe(2000);
    expect(s.warnings).toEqual([]);
  });

  it('keeps an absolute key, no key (the agent), root by default', () => {
    const s = resolveHostsFile(
      {
        hosts: [
          { name: 'a', ip: '192.0.2.9', roles: ['kv', 'manager'], sshKey: '/k', sshPort: 2222 },
          { name: 'b', ip: '192.0.2.10', roles: ['node'] },
        ],
      },
      'h.json',
    );
    expect(s.hosts[0]).toMatchObject({ sshKey: '/k', sshPort: 2222, sshUser: 'root', driver: 'generic' });
    expect(s.hosts[1]?.sshKey).toBe('');
  });

  it.each([
    [{}, 'h.json: hosts: '],
    [{ hosts: [] }, 'h.json: hosts: declare at least one host'],
    [{ hosts: three, extra: 1 }, 'h.json: (file): '],
    [
      { hosts: [host('h1', '300.1.1.1', ['kv', 'manager'])] },
      'h.json: hosts[0].ip: expected an IPv4 address',
    ],
    [{ hosts: [host('H1', '192.0.2.1', ['kv', 'manager'])] }, 'h.json: hosts[0].name: host names are'],
    [{ hosts: [host('h1', '192.0.2.1', [])] }, 'h.json: hosts[0].roles: give at least one role'],
    [{ hosts: [host('h1', '192.0.2.1', ['db'])] }, 'h.json: hosts[0].roles[0]: '],
    [
      { hosts: [host('h1', '192.0.2.1', ['kv', 'kv', 'manager'])] },
      'h.json: hosts[0].roles: a role is listed twice',
    ],
    [{ hosts: [host('h1', '192.0.2.1', ['kv'], { sshPort: 0 })] }, 'h.json: hosts[0].sshPort: '],
    [{ hosts: [host('h1', '192.0.2.1', ['kv'], { bogus: true })] }, 'h.json: hosts[0]: '],
    [
      { hosts: [{ name: 'h1', roles: ['kv', 'manager'] }] },
      'h.json: hosts[0].ip: host "h1" needs the IPv4 address',
    ],
    [
      { hosts: [host('h1', '192.0.2.1', ['kv', 'manager'], { driver: 'virtualbox' })] },
      'h.json: hosts[0].driver: ',
    ],
    [
      { hosts: [host('h1', '192.0.2.1', ['kv', 'manager'], { driver: 'netns' })] },
      'h.json: hosts[0].driver: netns',
    ],
    [
      { hosts: [host('h1', '192.0.2.1', ['kv', 'manager']), host('h1', '192.0.2.2', ['node'])] },
      'h.json: hosts[1].name: "h1" is also hosts[0]',
    ],
    [
      { hosts: [host('h1', '192.0.2.1', ['kv', 'manager']), host('h2', '192.0.2.1', ['node'])] },
      'h.json: hosts[1].ip: 192.0.2.1 already runs the engine of hosts[0] ("h1")',
    ],
    [
      { hosts: [host('h1', '192.0.2.1', ['kv', 'manager']), host('h2', '192.0.2.2', ['kv'])] },
      'h.json: hosts[].roles: 2 hosts have the kv role; use 1, 3 or 5',
    ],
    [{ hosts: [host('h1', '192.0.2.1', ['manager'])] }, 'h.json: hosts[].roles: 0 hosts have the kv role'],
    [
      { hosts: [host('h1', '192.0.2.1', ['kv', 'node'])] },
      'h.json: hosts[].roles: no host has the manager role',
    ],
    [
      { hosts: three, replicationTtl: '10ms' },
      'h.json: replicationTtl: "10ms" is not a duration of at least 1s',
    ],
    [{ hosts: three, heartbeat: 'soon' }, 'h.json: heartbeat: "soon" is not a duration'],
    [{ hosts: three, strategy: 'fastest' }, 'h.json: strategy: '],
    [{ hosts: three, labels: ['nolabel'] }, 'h.json: labels[0]: labels are key=value'],
  ])('refuses %j', (raw, message) => {
    expect(() => resolveHostsFile(raw, 'h.json')).toThrow(message);
  });

  it('accepts 1, 3 and 5 kv members', () => {
    for (const n of [1, 3, 5]) {
      const hosts = Array.from({ length: 5 }, (_, i) =>
        host(`h${i}`, `192.0.2.${i + 1}`, i < n ? ['kv', 'manager'] : ['node']),
      );
      expect(resolveHostsFile({ hosts }, 'h.json').hosts.filter((h) => h.roles.includes('kv'))).toHaveLength(
        n,
      );
    }
  });

  it('warns when two kv members share a machine', () => {
    const s = resolveHostsFile(
      {
        hosts: [
          host('h1', '192.0.2.1', ['kv', 'manager']),
          host('h1b', '192.0.2.1', ['kv']),
          host('h2', '192.0.2.2', ['kv', 'manager']),
        ],
      },
      'h.json',
    );
    expect(s.warnings).toEqual([
      'kv members h1, h1b share the machine 192.0.2.1: losing it loses 2 of 3 members',
    ]);
  });
});

describe('isHostsFile', () => {
  it('tells a hosts file from the netns shape', () => {
    expect(isHostsFile({ hosts: [] })).toBe(true);
    expect(isHostsFile({ managers: ['m'] })).toBe(false);
    expect(isHostsFile(null)).toBe(false);
  });
});
