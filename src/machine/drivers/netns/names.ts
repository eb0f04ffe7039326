import { InvalidFlagError } from '../../errors.js';
import { ipv4Hex, parseIpv4, type Subnet } from './subnet.js';

/** Linux limits interface names to 15 bytes; prefixes leave room for one letter and eight hex digits. */
export const MAX_PREFIX_LENGTH = 6;

/** Checks `--netns-prefix`: 1-6 lower-case letters or digits, starting with a letter. */
export function checkPrefix(prefix: string): string {
  if (!/^[a-z][a-z0-9]{0,5}$/.test(prefix)) {
    throw new InvalidFlagError(
      `Invalid --netns-prefix "${prefix}": use 1-${MAX_PREFIX_LENGTH} lower-case letters or digits, starting with a letter`,
    );
  }
  return prefix;
}

/** The network namespace name (`ip netns`) of a machine: `<prefix>-<machine>`. */
export function netnsName(prefix: string, machineName: string): string {
  return `${prefix}-${machineName}`;
}

/** The bridge for a subnet when `--netns-bridge` is absent: `<prefix>b<network in hex>`, e.g. `shoalb0ac80000`. */
export function bridgeName(prefix: string, subnet: Subnet): string {
  return `${prefix}b${ipv4Hex(subnet.network)}`;
}

/** Root-namespace end of a machine's veth pair: `<prefix>v<ip in hex>` (unique while the address is leased). */
export function vethName(prefix: string, ip: string): string {
  return `${prefix}v${ipv4Hex(parseIpv4(ip) ?? 0)}`;
}

/** Temporary name of the namespace end before it is moved in and renamed `eth1`. */
export function peerTempName(prefix: string, ip: string): string {
  return `${prefix}p${ipv4Hex(parseIpv4(ip) ?? 0)}`;
}

/** Checks `--netns-bridge`: a valid Linux interface name. */
export function checkBridgeName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/.test(name)) {
    throw new InvalidFlagError(
      `Invalid --netns-bridge "${name}": interface names are 1-15 letters, digits, _ . -`,
    );
  }
  return name;
}
