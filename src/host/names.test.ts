import { describe, expect, it } from 'vitest';
import { bridgeName, isValidLinkName, isValidPrefix, netnsName, peerTempName, vethName } from './names.js';

describe('names', () => {
  it('builds every interface name within 15 bytes from the prefix', () => {
    const s = { network: 0x0ac80000 };
    expect(bridgeName('shoal', s)).toBe('shoalb0ac80000');
    expect(vethName('shoal', '10.200.0.254')).toBe('shoalv0ac800fe');
    expect(peerTempName('abcdef', '255.255.255.255')).toBe('abcdefpffffffff');
    for (const n of [bridgeName('abcdef', s), vethName('abcdef', '10.200.0.2')])
      expect(n.length).toBeLessThanOrEqual(15);
    expect(netnsName('shn', 'm1')).toBe('shn-m1');
  });
  it.each(['', 'Shoal', '1abc', 'abcdefg', 'a-b'])('refuses prefix %j', (p) => {
    expect(isValidPrefix(p)).toBe(false);
  });
  it.each(['shoal', 'a', 'ab12cd'])('accepts prefix %j', (p) => {
    expect(isValidPrefix(p)).toBe(true);
  });
  it.each(['', 'a'.repeat(16), 'br 0', '-br'])('refuses link name %j', (b) => {
    expect(isValidLinkName(b)).toBe(false);
  });
});
