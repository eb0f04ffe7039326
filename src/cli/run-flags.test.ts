import { describe, expect, it } from 'vitest';
import { parseMemory, parsePublish, runBody } from './run-flags.js';

describe('docker run flags for shoal plan', () => {
  it.each([
    ['512', 512],
    ['4k', 4096],
    ['64m', 64 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['1.5g', 1.5 * 1024 ** 3],
    ['2GB', 2 * 1024 ** 3],
  ])('memory %s → %d bytes', (text, bytes) => {
    expect(parseMemory(text)).toBe(bytes);
  });

  it('refuses a size that is not one', () => {
    expect(() => parseMemory('lots')).toThrow("invalid size: 'lots'");
  });

  it.each([
    ['80', '80/tcp', '', ''],
    ['8080:80', '80/tcp', '', '8080'],
    ['127.0.0.1:8080:80/udp', '80/udp', '127.0.0.1', '8080'],
    ['[::1]:8080:80', '80/tcp', '::1', '8080'],
  ])('publish %s', (spec, port, ip, host) => {
    expect(parsePublish(spec)).toEqual({ port, binding: { HostIp: ip, HostPort: host } });
  });

  it('refuses a bad publish spec', () => {
    expect(() => parsePublish('a:b')).toThrow('invalid publish spec: a:b');
  });

  it('builds the create body docker run would send', () => {
    expect(
      runBody('busybox', {
        env: ['constraint:zone==a', 'X=1'],
        label: ['team=web', 'bare'],
        memory: '4m',
        cpus: '0.5',
        publish: ['8080:80', '8081:80'],
        net: 'n1/net',
        volumesFrom: ['data:ro'],
        link: ['db:db'],
      }),
    ).toEqual({
      Image: 'busybox',
      Env: ['constraint:zone==a', 'X=1'],
      Labels: { team: 'web', bare: '' },
      ExposedPorts: { '80/tcp': {} },
      HostConfig: {
        Memory: 4 * 1024 ** 2,
        NanoCpus: 5e8,
        PortBindings: {
          '80/tcp': [
            { HostIp: '', HostPort: '8080' },
            { HostIp: '', HostPort: '8081' },
          ],
        },
        NetworkMode: 'n1/net',
        VolumesFrom: ['data:ro'],
        Links: ['db:db'],
      },
    });
    expect(() => runBody('x', { cpus: 'many' })).toThrow('invalid argument "many" for --cpus');
  });
});
