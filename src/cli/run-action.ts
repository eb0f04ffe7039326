import { ClusterError } from '../util/errors.js';
import { CliExit } from './errors.js';

/**
 * Wraps a command action: prints a one-line error to stderr and sets a non-zero exit code instead of throwing a
 * stack trace at the user. `SHOAL_DEBUG=1` prints the cause chain too.
 */
export function runAction<A extends unknown[]>(
  fn: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (err instanceof CliExit) {
        if (err.message) process.stderr.write(`${err.message}\n`);
        process.exitCode = err.exitCode;
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`Error: ${message}\n`);
      if (process.env.SHOAL_DEBUG) {
        let cause = err instanceof Error ? err.cause : undefined;
        while (cause) {
          process.stderr.write(`  caused by: ${cause instanceof Error ? cause.message : String(cause)}\n`);
          cause = cause instanceof Error ? cause.cause : undefined;
        }
        if (err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
      }
      process.exitCode = err instanceof ClusterError && err.code === 'PRECREATE_CHECK' ? 3 : 1;
    }
  };
}
