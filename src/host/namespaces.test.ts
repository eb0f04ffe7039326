import { describe, expect, it } from 'vitest';
import { filesOnlyNsswitch } from './namespaces.js';

describe('filesOnlyNsswitch', () => {
  it('replaces the hosts line and keeps every other database', () => {
    const debian = [
      'passwd:         files systemd',
      'group:          files systemd',
      '',
      'hosts:          files mdns4_minimal [NOTFOUND=return] dns myhostname',
      'networks:       files',
      '',
    ].join('\n');
    const out = filesOnlyNsswitch(debian);
    expect(out.split('\n').filter((l) => /^\s*hosts\s*:/.test(l))).toEqual(['hosts: files']);
    expect(out).toContain('passwd:         files systemd');
    expect(out).toContain('networks:       files');
    expect(out).not.toMatch(/dns/);
  });
  it('adds a hosts line to a file without one, or to no file at all', () => {
    expect(filesOnlyNsswitch('passwd: files\n')).toBe('passwd: files\nhosts: files\n');
    expect(filesOnlyNsswitch('')).toBe('hosts: files\n');
  });
});
