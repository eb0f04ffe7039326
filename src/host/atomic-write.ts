import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes `data` to `path` atomically: a temp file beside it (same directory, so the rename cannot cross devices) is
 * written with `mode`, flushed to disk, then renamed over `path`. Readers see the old content or the new, never half.
 * The parent directory is created with 0700 when missing. On failure the temp file is removed and `path` untouched.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data);
      await fh.chmod(mode);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes several files in the same spirit as {@link writeFileAtomic}: every temp file is written and flushed first,
 * then all are renamed back to back, so a process killed part-way leaves either none of the new files or (in the
 * microseconds between two renames) all but the last. Used for pairs that must match, like a certificate and key.
 */
export async function writeFilesAtomic(
  files: readonly { path: string; data: string | Uint8Array; mode?: number }[],
): Promise<void> {
  const temps: string[] = [];
  try {
    for (const f of files) {
      const mode = f.mode ?? 0o600;
      await mkdir(dirname(f.path), { recursive: true, mode: 0o700 });
      const tmp = `${f.path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
      temps.push(tmp);
      const fh = await open(tmp, 'wx', mode);
      try {
        await fh.writeFile(f.data);
        await fh.chmod(mode);
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    for (const [i, f] of files.entries()) await rename(temps[i] as string, f.path);
  } catch (err) {
    for (const t of temps) await rm(t, { force: true });
    throw err;
  }
}
