/**
 * Helpers for shoal's own integration tests: run the built CLI (or a node script) as a child process and wait for
 * lines on its output. Not part of the public surface.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Path of the built CLI entry (`npm run build` first). */
export const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url)).replace('/src/', '/dist/');

/** A child process whose output lines are collected. */
export interface Child {
  readonly proc: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first line (already seen or future) matching `re`; rejects after `ms` or on exit. */
  waitLine(re: RegExp, ms?: number): Promise<string>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Sends `sig` if still running and waits for exit. */
  stop(sig?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns `node <args>` with stdout+stderr collected line by line. */
export function spawnNode(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const proc = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let exitCode: number | null | undefined;
  const onData = (buf: Buffer): void => {
    for (const l of buf.toString().split('\n')) if (l.trim()) lines.push(l);
    for (const w of waiters) w();
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code, sig) => {
      exitCode = code ?? (sig ? 128 : null);
      for (const w of waiters) w();
      resolve(code);
    });
  });
  return {
    proc,
    lines,
    exited,
    waitLine(re, ms = 30_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = lines.find((l) => re.test(l));
          if (hit !== undefined) done(() => resolve(hit));
          else if (exitCode !== undefined)
            done(() => reject(new Error(`exited before ${re}: ${lines.join('\n')}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${re} in: ${lines.join('\n')}`))), ms);
        const done = (f: () => void): void => {
          clearTimeout(timer);
          waiters.delete(check);
          f();
        };
        waiters.add(check);
        check();
      });
    },
    async stop(sig = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(sig);
      return exited;
    },
  };
}

/** Spawns the built `shoal` CLI. */
export function spawnShoal(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  return spawnNode([CLI, ...args], env);
}

/** Polls `fn` every 100 ms until it returns a value other than undefined, or rejects after `ms`. */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  ms = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
