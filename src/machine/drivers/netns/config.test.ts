import { describe, expect, it } from 'vitest';
import { InvalidFlagError } from '../../errors.js';
import { checkBridgeName, checkPrefix, resolveSettings } from './config.js';

describe('flag checks', () => {
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
