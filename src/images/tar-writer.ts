/** One entry of a {@link writeTar} archive. */
export type TarEntry =
  | { readonly type: 'dir'; readonly path: string; readonly mode?: number }
  | { readonly type: 'file'; readonly path: string; readonly data: Uint8Array; readonly mode?: number }
  | { readonly type: 'symlink'; readonly path: string; readonly target: string };

const BLOCK = 512;

function putString(buf: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new RangeError(`tar field too long: "${value}"`);
  bytes.copy(buf, offset);
}

function putOctal(buf: Buffer, offset: number, length: number, value: number): void {
  putString(buf, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

/** A ustar header block for one entry. */
function header(
  path: string,
  typeflag: string,
  mode: number,
  size: number,
  linkname: string,
  mtime: number,
): Buffer {
  const h = Buffer.alloc(BLOCK);
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = path.lastIndexOf('/', 155);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
  }
  putString(h, 0, 100, name);
  putOctal(h, 100, 8, mode);
  putOctal(h, 108, 8, 0);
  putOctal(h, 116, 8, 0);
  putOctal(h, 124, 12, size);
  putOctal(h, 136, 12, mtime);
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  putString(h, 156, 1, typeflag);
  putString(h, 157, 100, linkname);
  putString(h, 257, 6, 'ustar\0');
  putString(h, 263, 2, '00');
  putString(h, 265, 32, 'root');
  putString(h, 297, 32, 'root');
  putString(h, 345, 155, prefix);
  let sum = 0;
  for (const b of h) sum += b;
  putString(h, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/**
 * Writes a ustar archive (owner root:root) of `entries`, in order, ending with the two zero blocks. Paths are
 * relative (`bin/sh`); directories get a trailing slash. `mtime` is seconds since the epoch.
 */
export function writeTar(entries: readonly TarEntry[], mtime = 0): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.type === 'dir') {
      parts.push(header(e.path.endsWith('/') ? e.path : `${e.path}/`, '5', e.mode ?? 0o755, 0, '', mtime));
    } else if (e.type === 'symlink') {
      parts.push(header(e.path, '2', 0o777, 0, e.target, mtime));
    } else {
      parts.push(header(e.path, '0', e.mode ?? 0o644, e.data.length, '', mtime));
      parts.push(Buffer.from(e.data));
      const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
