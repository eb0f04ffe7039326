import { spawn } from 'node:child_process';
import { HostCommandError } from './errors.js';

/** Exit code and output of a finished command. */
export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link run}. */
export interface RunOptions {
  /** Written to the child's stdin, which is then closed. */
  readonly stdin?: string;
  /** Return the result instead of throwing when the exit code is not 0. */
  readonly allowFail?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs `argv` (no shell) to completion and collects its output. Throws {@link HostCommandError} on a non-zero exit
 * unless `allowFail`; a binary that cannot be started yields exit code 127 with the spawn error as stderr.
 */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv;
    const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let spawnError: Error | undefined;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      spawnError = e;
    });
    child.stdin.on('error', () => {
      // the child may exit without reading its stdin
    });
    child.stdin.end(opts.stdin ?? '');
    child.on('close', (code) => {
      const res: ExecResult = {
        code: spawnError ? 127 : (code ?? 128),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: spawnError ? spawnError.message : Buffer.concat(err).toString('utf8'),
      };
      if (res.code !== 0 && !opts.allowFail) reject(new HostCommandError(argv, res.code, res.stderr));
      else resolve(res);
    });
  });
}
