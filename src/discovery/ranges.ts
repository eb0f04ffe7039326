import { InvalidDiscoveryError } from './errors.js';

const RANGE = /\[(\d+):(\d+)\]/;

/**
 * Expands the first `[A:B]` range in an entry into every value A..B, as classic Swarm's range generator does:
 * `10.0.0.[10:12]:2375` → three entries, `192.168.1.2:[2:4]375` → ports 2375, 3375, 4375. An entry without a
 * numeric range (or with A > B) is returned as the only element, untouched.
 */
export function expandRange(entry: string): string[] {
  const m = RANGE.exec(entry);
  if (!m) return [entry];
  const from = Number(m[1]);
  const to = Number(m[2]);
  if (from > to) return [entry];
  if (to - from > 65_535) throw new InvalidDiscoveryError(`range too large in "${entry}"`);
  const head = entry.slice(0, m.index);
  const tail = entry.slice(m.index + m[0].length);
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(`${head}${i}${tail}`);
  return out;
}

/**
 * Checks that `entry` is `host:port` with a non-empty host and a port 1..65535 (IPv6 hosts in brackets).
 * @throws InvalidDiscoveryError naming the entry.
 */
export function validateHostPort(entry: string, what = 'entry'): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s[\]/]+):(\d{1,5})$/.exec(entry);
  const port = m ? Number(m[2]) : 0;
  if (!m || port < 1 || port > 65_535) {
    throw new InvalidDiscoveryError(`invalid ${what} "${entry}": expected host:port with a port in 1..65535`);
  }
  return entry;
}

/**
 * Parses the text of a `file://` discovery file: one entry per line, blanks trimmed, everything from `#` on
 * dropped, empty lines skipped, each line range-expanded and validated.
 * @throws InvalidDiscoveryError on the first bad entry.
 */
export function parseEntryLines(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const hash = raw.indexOf('#');
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (line === '') continue;
    for (const e of expandRange(line)) out.push(validateHostPort(e));
  }
  return out;
}

/**
 * Parses a comma-separated entry list (`nodes://A,B` or a bare `A,B`), expanding ranges.
 * @throws InvalidDiscoveryError on an empty list or a bad entry.
 */
export function parseEntryList(text: string): string[] {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) throw new InvalidDiscoveryError('empty node list');
  return parts.flatMap((p) => expandRange(p).map((e) => validateHostPort(e)));
}
