import { describe, expect, it } from 'vitest';
import { InvalidFlagError } from '../../errors.js';
import { resolveSettings } from './config.js';
import { bridgeName, checkBridgeName, checkPrefix, netnsName, peerTempName, vethName } from './names.js';
import { parseSubnet } from './subnet.js';

describe('names', () => {
  it('builds every interface name within 15 bytes from the prefix', () => {
    const s = parseSubnet('10.200.0.0/24');
    expect(bridgeName('shoal', s)).toBe('shoalb0ac80000');
    expect(vethName('shoal', '10.200.0.254')).toBe('shoalv0ac800fe');
    expect(peerTempName('abcdef', '255.255.255.255')).toBe('abcdefpffffffff');
    for (const n of [bridgeName('abcdef', s), vethName('abcdef', '10.200.0.2')])
      expect(n.length).toBeLessThanOrEqual(15);
    expect(netnsName('shn', 'm1')).toBe('shn-m1');
  });
  it.each(['', 'Shoal', '1abc', 'abcdefg', 'a-b'])('refuses prefix %j', (p) => {
    expect(() => checkPrefix(p)).toThrow(InvalidFlagError);
  });
  it.each(['', 'a'.repeat(16), 'br 0', '-br'])('refuses bridge %j', (b) => {
    expect(() => checkBridgeName(b)).toThrow(/Invalid --netns-bridge/);
  });
});

describe('resolveSettings', () => {
  it('defaults to 10.200.0.0/24 on the bridge derived from prefix shoal', () => {
    expect(resolveSettings({})).toMatchObject({
      prefix: 'shoal',
      bridge: 'shoalb0ac80000',
      dockerd: 'dockerd',
    });
  });
  it('keeps an explicit bridge', () => {
    expect(resolveSettings({ bridge: 'br-test', subnet: '10.9.0.0/16' }).bridge).toBe('br-test');
  });
});

describe('macFor', () => {
  it('derives a stable locally administered MAC from the address', async () => {
    const { macFor } = await import('./network.js');
    expect(macFor('10.232.0.4')).toBe('02:5e:0a:e8:00:04');
  });
});
