/** IPv4 addresses as unsigned 32-bit numbers, for subnets and interface names. */

/** Parses dotted IPv4 text into an unsigned 32-bit number; undefined when malformed. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** Formats an unsigned 32-bit number as dotted IPv4 text. */
export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Eight lower-case hex digits of an IPv4 address (used in interface names). */
export function ipv4Hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
