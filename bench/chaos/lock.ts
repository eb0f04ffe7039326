/**
 * The integration lock (`/tmp/shoal-int.lock`), held while the suite's cluster exists: `flock` keeps it for as long
 * as its child `cat` reads our pipe, so it is released when we let go or when this process dies, however it dies.
 */
import { spawn } from 'node:child_process';

/** Where every test and benchmark that boots hosts takes its turn. */
export const INT_LOCK = '/tmp/shoal-int.lock';

/** A held lock. */
export interface HeldLock {
  release(): Promise<void>;
}

/** Waits for the lock (printing once that it waits) and returns once it is held. */
export async function acquire(path: string, say: (line: string) => void): Promise<HeldLock> {
  const child = spawn('flock', [path, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting = setTimeout(() => say(`waiting for ${path}...`), 1000);
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`flock ${path} exited (${code}) before locking`)));
  });
  clearTimeout(waiting);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    release: async () => {
      child.stdin.end();
      await exited;
    },
  };
}
