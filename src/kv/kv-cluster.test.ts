import { describe, expect, it } from 'vitest';
import { createKvCluster } from './kv-cluster.js';
import { memberArgv } from './member-process.js';

const three = [
  { host: 'kv', ip: '10.235.0.2', ns: 'shd-kv' },
  { host: 'master1', ip: '10.235.0.3' },
  { host: 'master2', ip: '10.235.0.4', clientPort: 12379, peerPort: 12380 },
];

describe('createKvCluster', () => {
  it('builds a static cluster: names, URLs, endpoints, v2 on', () => {
    const c = createKvCluster({ name: 'shd', members: three, dataDir: '/tmp/shd-kv' });
    expect(c.endpoints()).toEqual(['10.235.0.2:2379', '10.235.0.3:2379', '10.235.0.4:12379']);
    const [m0, , m2] = c.members();
    expect(m0?.name).toBe('shd-0');
    expect(m0?.ns).toBe('shd-kv');
    expect(m2?.initialCluster).toBe(
      'shd-0=http://10.235.0.2:2380,shd-1=http://10.235.0.3:2380,shd-2=http://10.235.0.4:12380',
    );
    const argv = memberArgv(m2 as NonNullable<typeof m2>);
    expect(argv).toContain('--enable-v2=true');
    expect(argv.join(' ')).toContain('--listen-client-urls http://10.235.0.4:12379');
    expect(argv.join(' ')).toContain('--data-dir /tmp/shd-kv/shd-2/data');
  });

  it('with TLS: https URLs, client and peer certificates, client-certificate auth on both', () => {
    const tls = {
      caFile: '/c/ca.pem',
      certFile: '/c/member.pem',
      keyFile: '/c/member-key.pem',
      clientCertFile: '/c/cert.pem',
      clientKeyFile: '/c/key.pem',
    };
    const c = createKvCluster({ name: 'shd', members: three, dataDir: '/tmp/shd-kv', tls });
    const m0 = c.members()[0]!;
    expect(m0.clientUrl).toBe('https://10.235.0.2:2379');
    expect(m0.initialCluster).toMatch(/^shd-0=https:\/\/10\.235\.0\.2:2380,/);
    const argv = memberArgv(m0).join(' ');
    for (const flag of [
      '--cert-file /c/member.pem',
      '--key-file /c/member-key.pem',
      '--trusted-ca-file /c/ca.pem',
      '--client-cert-auth',
      '--peer-cert-file /c/member.pem',
      '--peer-trusted-ca-file /c/ca.pem',
      '--peer-client-cert-auth',
    ])
      expect(argv).toContain(flag);
    expect(argv).not.toContain('http://');
  });

  it.each([
    [{ name: 'shd', members: [], dataDir: '/x' }, 'a KV cluster needs at least one member'],
    [{ name: 'bad name', members: three, dataDir: '/x' }, 'invalid KV cluster name "bad name"'],
    [
      { name: 'shd', members: [three[0], { host: 'b', ip: '10.235.0.2', ns: 'x' }], dataDir: '/x' },
      'two KV members would listen on 10.235.0.2:2379',
    ],
  ])('rejects a bad spec (%#)', (spec, message) => {
    expect(() => createKvCluster(spec as Parameters<typeof createKvCluster>[0])).toThrow(message);
  });
});
