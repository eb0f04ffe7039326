import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { MachineService } from '../machine/machine-service.js';
import { ClusterError, InvalidArgumentError } from '../util/errors.js';

/** The store path: `-s/--storage-path`, else `$SHOAL_STORAGE_PATH`, else `$MACHINE_STORAGE_PATH`, else `~/.shoal`. */
export function storagePath(cmd: Command): string {
  const opts = cmd.optsWithGlobals() as { storagePath?: string };
  return (
    opts.storagePath ||
    process.env.SHOAL_STORAGE_PATH ||
    process.env.MACHINE_STORAGE_PATH ||
    join(homedir(), '.shoal')
  );
}

/** A service for the command's store; progress lines go to stdout prefixed with the elapsed time. */
export function serviceFor(cmd: Command, opts: { progress?: boolean } = {}): MachineService {
  const t0 = Date.now();
  return new MachineService({
    storePath: storagePath(cmd),
    progress: opts.progress
      ? (line) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(2).padStart(6)}s] ${line}\n`)
      : undefined,
  });
}

/** Collects a repeatable option into an array. */
export function collect(value: string, prev: string[] = []): string[] {
  return [...prev, value];
}

/**
 * Names for a single-target command: the given one, else `default` when that machine exists (docker-machine's
 * rule), else an error.
 */
export async function oneName(svc: MachineService, name: string | undefined): Promise<string> {
  if (name) return name;
  if (await svc.store.exists('default')) return 'default';
  throw new InvalidArgumentError('No machine name(s) specified and no "default" machine exists');
}

/** Names for a multi-target command (same default rule). */
export async function manyNames(svc: MachineService, names: readonly string[]): Promise<string[]> {
  if (names.length > 0) return [...names];
  return [await oneName(svc, undefined)];
}

/** Adds the store option to a sub-command so `-s` works after the command name too. */
export function withStore(cmd: Command): Command {
  return cmd.option(
    '-s, --storage-path <path>',
    'machine store path (env SHOAL_STORAGE_PATH, default ~/.shoal)',
  );
}

/**
 * Runs `fn` for every name concurrently; prints each failure as one line and throws one summary error when any
 * failed (so the exit code is non-zero).
 */
export async function forEachName(
  names: readonly string[],
  fn: (name: string) => Promise<void>,
): Promise<void> {
  const results = await Promise.allSettled(names.map(fn));
  const failed = results
    .map((r, i) => (r.status === 'rejected' ? `${names[i]}: ${(r.reason as Error).message}` : ''))
    .filter((m) => m !== '');
  if (failed.length > 0) throw new ClusterError(failed.join('; '));
}
