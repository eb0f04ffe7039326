/**
 * Names of a shoal host's kernel objects. A host called `<host>` made with prefix `<prefix>` lives in the namespace
 * set `<prefix>-<host>`; its bridge, veth and temporary peer carry the prefix, a kind letter and an address in hex,
 * so every name fits Linux's 15-byte limit on interface names and names built from one prefix never meet another's.
 */
import { ipv4Hex, parseIpv4 } from './ipv4.js';

/** Linux limits interface names to 15 bytes; prefixes leave room for one letter and eight hex digits. */
export const MAX_PREFIX_LENGTH = 6;

/** True for a usable name prefix: 1-6 lower-case letters or digits, starting with a letter. */
export function isValidPrefix(prefix: string): boolean {
  return /^[a-z][a-z0-9]{0,5}$/.test(prefix);
}

/** True for a valid Linux interface name (1-15 letters, digits, `_ . -`, not starting with a punctuation mark). */
export function isValidLinkName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/.test(name);
}

/** The namespace set (`ip netns` name) of host `hostName`: `<prefix>-<host>`. */
export function netnsName(prefix: string, hostName: string): string {
  return `${prefix}-${hostName}`;
}

/** The bridge of a subnet when none is named: `<prefix>b<network in hex>`, e.g. `shoalb0ac80000`. */
export function bridgeName(prefix: string, subnet: { readonly network: number }): string {
  return `${prefix}b${ipv4Hex(subnet.network)}`;
}

/** Root-namespace end of a host's veth pair: `<prefix>v<ip in hex>` (unique while the address is leased). */
export function vethName(prefix: string, ip: string): string {
  return `${prefix}v${ipv4Hex(parseIpv4(ip) ?? 0)}`;
}

/** Temporary name of the namespace end before it is moved in and renamed `eth1`. */
export function peerTempName(prefix: string, ip: string): string {
  return `${prefix}p${ipv4Hex(parseIpv4(ip) ?? 0)}`;
}
