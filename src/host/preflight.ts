/** Checks of this machine before shoal makes hosts or starts daemons on it. */
import { access, constants, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

/** Resolves `bin` like a shell would (absolute paths as they are); undefined when not found or not executable. */
export async function which(bin: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  const candidates =
    isAbsolute(bin) || bin.includes('/') ? [bin] : path.split(delimiter).map((d) => join(d, bin));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      if ((await stat(c)).isFile()) return c;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** The binaries of `bins` that {@link which} does not find, in order. */
export async function missingBinaries(bins: readonly string[], path?: string): Promise<string[]> {
  const missing: string[] = [];
  for (const b of bins) if (!(await which(b, path))) missing.push(b);
  return missing;
}

/** True when the process runs as root (namespaces, bridges and iptables rules need it). */
export function isRoot(uid = process.getuid?.() ?? 0): boolean {
  return uid === 0;
}
