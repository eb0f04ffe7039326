import { describe, expect, it } from 'vitest';
import { resolveHostsFile } from './hosts-file.js';
import { remotePlan } from './plan.js';
import { dockerdMajor, formatProblems, judgeHost, parseProbe } from './preflight.js';

const probe = (o: { root?: string; dockerd?: string; listen?: string[]; now?: string } = {}) =>
  [
    'uid=1000',
    `root=${o.root ?? 'yes'}`,
    `dockerd=${o.dockerd ?? 'Docker version 20.10.24+dfsg1, build 297e128'}`,
    'etcd=',
    'etcdpath=/usr/bin/etcd',
    'systemd=no',
    `now=${o.now ?? '1764715200123456789'}`,
    'listen:',
    ...(o.listen ?? ['0.0.0.0:22', '[::]:22', '127.0.0.1:631']),
    '',
  ].join('\n');

const plan = remotePlan(
  resolveHostsFile(
    {
      hosts: [
        { name: 'h1', ip: '192.0.2.1', roles: ['kv', 'manager'], sshUser: 'admin' },
        { name: 'h2', ip: '192.0.2.2', roles: ['kv'] },
        { name: 'h3', ip: '192.0.2.3', roles: ['kv', 'node'] },
      ],
    },
    'h.json',
  ),
);
const [h1, h2] = plan.hosts as [(typeof plan.hosts)[0], (typeof plan.hosts)[0]];

describe('parseProbe', () => {
  it('reads the answers and the listening ports', () => {
    const f = parseProbe(probe({ listen: ['0.0.0.0:22', '[::]:2376', '*:3376', '127.0.0.1.631'] }));
    expect(f).toEqual({
      root: true,
      dockerd: 'Docker version 20.10.24+dfsg1, build 297e128',
      etcd: '',
      etcdPath: '/usr/bin/etcd',
      systemd: false,
      nowMs: 1764715200123,
      listening: [22, 631, 2376, 3376],
    });
  });

  it('leaves the clock unknown when date has no nanoseconds', () => {
    expect(parseProbe(probe({ now: '1764715200%N' })).nowMs).toBeUndefined();
  });
});

describe('dockerdMajor', () => {
  it.each([
    ['Docker version 20.10.24+dfsg1, build 297e128', 20],
    ['Docker version 28.0.1, build bbd0a17', 28],
    ['garbage', undefined],
  ])('%s → %s', (line, major) => {
    expect(dockerdMajor(line)).toBe(major);
  });
});

describe('judgeHost', () => {
  it('passes a good host', () => {
    expect(judgeHost(h1, parseProbe(probe()), 10, false)).toEqual([]);
  });

  it.each([
    [{ root: 'no' }, 'user admin is not root and cannot run sudo without a password'],
    [{ dockerd: '' }, 'dockerd is not installed (install docker.io 20.10; nothing is downloaded)'],
    [
      { dockerd: 'Docker version 24.0.7, build afdd53b' },
      'Docker version 24.0.7, build afdd53b has no --cluster-store (removed in Docker 23); overlay networks need dockerd 20.10 or older',
    ],
    [{ listen: ['0.0.0.0:2379', '0.0.0.0:3376'] }, 'ports 2379, 3376 already in use'],
  ])('refuses %j', (o, problem) => {
    expect(judgeHost(h1, parseProbe(probe(o)), 0, false)).toEqual([problem]);
  });

  it('asks no dockerd of a kv-only host', () => {
    expect(judgeHost(h2, parseProbe(probe({ dockerd: '' })), 0, false)).toEqual([]);
  });

  it('lets a host made by up keep its own ports', () => {
    expect(judgeHost(h1, parseProbe(probe({ listen: ['0.0.0.0:2376', '0.0.0.0:2379'] })), 0, true)).toEqual(
      [],
    );
  });

  it('refuses a skewed clock either way', () => {
    const f = parseProbe(probe());
    expect(judgeHost(h1, f, 5300, false)).toEqual([
      "its clock is 5.3 s ahead of this machine's (allowed: 2 s; run NTP)",
    ]);
    expect(judgeHost(h1, f, -2500, false)[0]).toContain('2.5 s behind');
    expect(judgeHost(h1, f, 1999, false)).toEqual([]);
  });
});

describe('formatProblems', () => {
  it('names the host on every line', () => {
    expect(formatProblems([{ host: h1.host, problems: ['a', 'b'] }])).toEqual([
      'h1 (192.0.2.1): a',
      'h1 (192.0.2.1): b',
    ]);
  });
});
