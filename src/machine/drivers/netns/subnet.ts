import { formatIpv4, parseIpv4 } from '../../../host/ipv4.js';
import { InvalidFlagError } from '../../errors.js';

/** An IPv4 subnet in CIDR form, with the addresses the netns driver uses in it. */
export interface Subnet {
  /** Network address as an unsigned 32-bit number. */
  readonly network: number;
  readonly prefixLength: number;
  /** The bridge's address: network + 1. */
  readonly gateway: string;
  /** The canonical `a.b.c.d/len` text. */
  readonly cidr: string;
}

/**
 * Parses `--netns-subnet` (`10.200.0.0/24`). The prefix must be 8..29 so a gateway and a few hosts fit; host bits
 * set in the address are refused rather than silently masked.
 */
export function parseSubnet(text: string): Subnet {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text.trim());
  const ip = m ? parseIpv4(m[1]!) : undefined;
  const len = m ? Number(m[2]) : Number.NaN;
  if (ip === undefined || !(len >= 8 && len <= 29)) {
    throw new InvalidFlagError(
      `Invalid --netns-subnet "${text}": expected an IPv4 CIDR like 10.200.0.0/24 (prefix 8-29)`,
    );
  }
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  if ((ip & ~mask) >>> 0 !== 0) {
    throw new InvalidFlagError(
      `Invalid --netns-subnet "${text}": host bits are set (did you mean ${formatIpv4((ip & mask) >>> 0)}/${len}?)`,
    );
  }
  return { network: ip, prefixLength: len, gateway: formatIpv4(ip + 1), cidr: `${formatIpv4(ip)}/${len}` };
}

/** Host addresses a machine may get, in order: network + 2 up to the last before the broadcast address. */
export function* hostAddresses(s: Subnet): Generator<string> {
  const size = 2 ** (32 - s.prefixLength);
  for (let i = 2; i < size - 1; i++) yield formatIpv4(s.network + i);
}

/**
 * The docker0 address (`--bip`) of the host at `ip`: a distinct /24 in 172.18.0.0-172.31.255.0 derived from the
 * host's offset in its subnet, so engines never share a bridge subnet even when their traffic is routed together.
 */
export function bridgeIpFor(s: Subnet, ip: string): string {
  const n = parseIpv4(ip);
  if (n === undefined) throw new InvalidFlagError(`Invalid IPv4 address "${ip}"`);
  const offset = (n - s.network) % (14 * 256);
  return `172.${18 + Math.floor(offset / 256)}.${offset % 256}.1/24`;
}
