/**
 * A per-bridge lock between shoal processes, so a machine being plugged into a bridge and the last machine leaving it
 * never interleave (the leaver would delete the bridge under the newcomer). The lock is a directory made with
 * mkdir (atomic) holding the owner's PID; a lock whose owner died, or that stayed without a PID for 5 s, is stale.
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from '../../../host/processes.js';
import type { Clock } from '../../../util/clock.js';
import { UnavailableError } from '../../../util/errors.js';

/** Folder of the bridge locks. */
export const LOCK_ROOT = '/run/shoal/locks';

async function isStale(dir: string, clock: Clock): Promise<boolean> {
  const pid = Number((await readFile(join(dir, 'pid'), 'utf8').catch(() => '')).trim());
  if (Number.isInteger(pid) && pid > 0) return pid !== process.pid && !(await isAlive(pid));
  const made = await stat(dir).then(
    (s) => s.mtimeMs,
    () => clock.now(),
  );
  return clock.now() - made > 5000;
}

/**
 * Runs `fn` holding the lock of `bridge`; waits up to `timeoutMs` for it, then throws `UnavailableError`. `root` is
 * the lock folder (tests use a temporary one).
 */
export async function withBridgeLock<T>(
  bridge: string,
  clock: Clock,
  fn: () => Promise<T>,
  timeoutMs = 60_000,
  root = LOCK_ROOT,
): Promise<T> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const dir = join(root, bridge);
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(dir);
      await writeFile(join(dir, 'pid'), `${process.pid}\n`);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (await isStale(dir, clock)) {
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      if (clock.now() >= deadline) {
        throw new UnavailableError(`Bridge ${bridge} is locked by another shoal process (${dir})`);
      }
      await clock.sleep(50);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
