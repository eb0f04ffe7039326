/**
 * `shoal` processes for integration tests: start one with its output kept for failure messages, stop it by its own
 * PID, and issue the certificate a manager serves with. Every test that runs `shoal manage` or `shoal join` as a
 * child process uses these, so the spawn, log and teardown rules are written once.
 *
 * ```ts
 * const cert = await issueManagerCert(th.certDir, work, 'abc-manager');
 * const m = startProcess('manager', [SHOAL_BIN, 'manage', '--tlsverify', ...cert.args, '-H', 'tcp://127.0.0.1:4000', url]);
 * afterAll(() => m.stop());
 * ```
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { issueServerCert } from '../machine/certs/index.js';

/** The `shoal` launcher at the repository's root (runs the built `dist/cli/main.js`). */
export const SHOAL_BIN = join(import.meta.dirname, '../../shoal');

/** A process a test started. */
export interface TestProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr interleaved. */
  readonly log: string;
  /**
   * Sends `signal` (default SIGTERM) unless the process has already exited, then waits for its exit
   * ({@link stopChild}).
   */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

class SpawnedProcess implements TestProcess {
  log = '';
  readonly child: ChildProcess;

  constructor(
    readonly name: string,
    argv: readonly string[],
  ) {
    this.child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer): void => {
      this.log += b.toString();
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    return stopChild(this.child, signal);
  }
}

/**
 * Sends `signal` (default SIGTERM) to a child unless it never started or has already exited, and waits for its
 * exit. A child a failed test left stopped (SIGSTOP) is continued first, and one still running `killAfterMs` later
 * (streams a graceful stop waits for, a signal it ignores) is killed, so a clean-up always ends.
 */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  killAfterMs = 10_000,
): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  child.kill('SIGCONT');
  const late = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  await exited;
  clearTimeout(late);
}

/** Starts `argv` (no shell) with stdin closed and its output kept in `log`. */
export function startProcess(name: string, argv: readonly string[]): TestProcess {
  return new SpawnedProcess(name, argv);
}

/** A manager's certificate and key, and the `--tlscacert/--tlscert/--tlskey` flags that use them. */
export interface ManagerCert {
  readonly cert: string;
  readonly key: string;
  readonly args: readonly string[];
}

/**
 * Issues a certificate for a manager on 127.0.0.1 from the test store's CA (`certDir` holds ca.pem and ca-key.pem)
 * into `dir`. It carries clientAuth besides serverAuth, since the manager reuses it to reach the engines.
 */
export async function issueManagerCert(
  certDir: string,
  dir: string,
  commonName: string,
): Promise<ManagerCert> {
  const cert = join(dir, 'server.pem');
  const key = join(dir, 'server-key.pem');
  await issueServerCert({
    caCertPath: join(certDir, 'ca.pem'),
    caKeyPath: join(certDir, 'ca-key.pem'),
    commonName,
    clientAuth: true,
    outCert: cert,
    outKey: key,
  });
  return {
    cert,
    key,
    args: [`--tlscacert=${join(certDir, 'ca.pem')}`, `--tlscert=${cert}`, `--tlskey=${key}`],
  };
}
