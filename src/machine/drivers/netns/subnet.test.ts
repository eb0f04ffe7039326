import { describe, expect, it } from 'vitest';
import { formatIpv4, ipv4Hex, parseIpv4 } from '../../../host/ipv4.js';
import { InvalidFlagError } from '../../errors.js';
import { bridgeIpFor, hostAddresses, parseSubnet } from './subnet.js';

describe('parseIpv4 / formatIpv4', () => {
  it.each([
    ['10.200.0.1', 0x0ac80001],
    ['0.0.0.0', 0],
    ['255.255.255.255', 0xffffffff],
  ])('%s round-trips', (text, n) => {
    expect(parseIpv4(text)).toBe(n);
    expect(formatIpv4(n)).toBe(text);
  });
  it.each(['10.0.0', '10.0.0.256', '10.0.0.-1', 'a.b.c.d', '10.0.0.1.2', ''])('refuses %j', (text) => {
    expect(parseIpv4(text)).toBeUndefined();
  });
  it('hex is eight digits', () => expect(ipv4Hex(parseIpv4('10.232.0.5')!)).toBe('0ae80005'));
});

describe('parseSubnet', () => {
  it('gives the gateway .1 and hosts from .2 to the last before broadcast', () => {
    const s = parseSubnet('10.200.0.0/24');
    expect(s).toMatchObject({ gateway: '10.200.0.1', prefixLength: 24, cidr: '10.200.0.0/24' });
    const hosts = [...hostAddresses(s)];
    expect(hosts[0]).toBe('10.200.0.2');
    expect(hosts.at(-1)).toBe('10.200.0.254');
    expect(hosts).toHaveLength(253);
  });
  it('handles small subnets', () => {
    expect([...hostAddresses(parseSubnet('10.1.2.8/29'))]).toEqual([
      '10.1.2.10',
      '10.1.2.11',
      '10.1.2.12',
      '10.1.2.13',
      '10.1.2.14',
    ]);
  });
  it.each([
    ['10.200.0.0', /expected an IPv4 CIDR/],
    ['10.200.0.0/33', /expected an IPv4 CIDR/],
    ['10.200.0.0/30', /prefix 8-29/],
    ['10.200.0.0/7', /prefix 8-29/],
    ['10.200.0.5/24', /host bits are set \(did you mean 10.200.0.0\/24\?\)/],
    ['banana/24', /expected an IPv4 CIDR/],
  ])('refuses %s', (text, msg) => {
    expect(() => parseSubnet(text)).toThrow(InvalidFlagError);
    expect(() => parseSubnet(text)).toThrow(msg);
  });
});

describe('bridgeIpFor', () => {
  it('derives a distinct docker0 /24 per host offset', () => {
    const s = parseSubnet('10.232.0.0/24');
    expect(bridgeIpFor(s, '10.232.0.2')).toBe('172.18.2.1/24');
    expect(bridgeIpFor(s, '10.232.0.254')).toBe('172.18.254.1/24');
    const big = parseSubnet('10.232.0.0/16');
    expect(bridgeIpFor(big, '10.232.1.3')).toBe('172.19.3.1/24');
  });
});
