/**
 * A daemon that outlives the shoal command that started it: each netns host's dockerd, the etcd members and the
 * registry mirror. It runs in its own session (optionally inside a shoal host's namespaces), appends its output to a
 * log file, and its PID goes to a pid file written atomically. Before anything signals it, the recorded PID is
 * checked to still be this daemon (its command line, by {@link DaemonIdentity.isOwn}), so a PID the kernel has since
 * given to another process is never hit.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { type Clock, systemClock } from '../util/clock.js';
import { writeFileAtomic } from './atomic-write.js';
import { DaemonStartError } from './errors.js';
import { nsenterArgv } from './namespaces.js';
import { isAlive, processArgv, processesByArgv, signal, waitGone } from './processes.js';

/** How to find one daemon again from another shoal process. */
export interface DaemonIdentity {
  /** Shown in errors, e.g. `etcd member kv-0`. */
  readonly name: string;
  readonly pidFile: string;
  /** Output of every launch is appended here (created 0600). */
  readonly logFile: string;
  /** True when the command line of a live process is this daemon's (guards against a reused PID). */
  isOwn(argv: readonly string[]): boolean;
}

/** What to run. */
export interface DaemonLaunch {
  readonly argv: readonly string[];
  /** Namespace set of a shoal host to run in (entered with nsenter); omitted = the caller's namespaces. */
  readonly ns?: string;
  /** The daemon's whole environment; default: the caller's. */
  readonly env?: NodeJS.ProcessEnv;
  /** Working directory; default: the caller's. */
  readonly cwd?: string;
}

/** Why {@link DetachedDaemon.waitReady} gave up. */
export type NotReadyReason = 'exited' | 'timeout';

/** Options of {@link DetachedDaemon.waitReady}. */
export interface ReadyOptions {
  /** Default 60 s. */
  readonly timeoutMs?: number;
  /** Pause between probes; default 100 ms. */
  readonly intervalMs?: number;
  /**
   * Builds the error thrown when the daemon exits or is not ready in time; default: a {@link DaemonStartError}
   * with the last lines of the log.
   */
  readonly failure?: (why: NotReadyReason) => Promise<Error>;
}

/** Options of {@link DetachedDaemon.stop}. */
export interface StopOptions {
  /** How long to wait after SIGTERM; default 10 s. */
  readonly graceMs?: number;
  /** SIGKILL after the grace period (and wait up to 5 s more); default true. */
  readonly kill?: boolean;
}

/** Outcome of {@link DetachedDaemon.stop}. */
export type StopResult = 'not-running' | 'stopped' | 'still-running';

/** One detached daemon; see the module comment. Holds no state besides its identity: every call reads the pid file. */
export class DetachedDaemon {
  constructor(
    readonly id: DaemonIdentity,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The daemon's live PID from its pid file, or undefined when it is not running. */
  async pid(): Promise<number | undefined> {
    const text = await readFile(this.id.pidFile, 'utf8').catch(() => undefined);
    const pid = Number(text?.trim());
    if (!Number.isInteger(pid) || pid <= 0 || !(await isAlive(pid))) return undefined;
    const argv = await processArgv(pid);
    return argv !== undefined && this.id.isOwn(argv) ? pid : undefined;
  }

  /**
   * Starts the daemon detached and records its PID; does not wait for it to be ready. Does not look whether it
   * already runs (see {@link start}). @throws DaemonStartError when the process cannot be spawned.
   */
  async spawn(launch: DaemonLaunch): Promise<number> {
    const argv = launch.ns ? nsenterArgv(launch.ns, launch.argv) : [...launch.argv];
    const log = openSync(this.id.logFile, 'a', 0o600);
    try {
      const child = spawn(argv[0] as string, argv.slice(1), {
        detached: true,
        stdio: ['ignore', log, log],
        ...(launch.env ? { env: launch.env } : {}),
        ...(launch.cwd ? { cwd: launch.cwd } : {}),
      });
      const pid = await new Promise<number>((resolve, reject) => {
        child.once('error', (e) =>
          reject(
            new DaemonStartError(`Cannot start ${this.id.name} (${argv[0]}): ${e.message}`, { cause: e }),
          ),
        );
        child.once('spawn', () => resolve(child.pid as number));
      });
      child.unref();
      await writeFileAtomic(this.id.pidFile, `${pid}\n`);
      return pid;
    } finally {
      closeSync(log);
    }
  }

  /** The running daemon's PID, or a new one from {@link spawn} when it does not run. */
  async start(launch: DaemonLaunch): Promise<number> {
    return (await this.pid()) ?? this.spawn(launch);
  }

  /**
   * Polls `ready` until it answers true. Throws (see {@link ReadyOptions.failure}) when process `pid` exits first or
   * `timeoutMs` passes; the daemon is left as it is.
   */
  async waitReady(pid: number, ready: () => Promise<boolean>, opts: ReadyOptions = {}): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const deadline = this.clock.now() + timeoutMs;
    const fail = opts.failure ?? ((why) => this.defaultFailure(why, timeoutMs));
    for (;;) {
      if (!(await isAlive(pid))) throw await fail('exited');
      if (await ready()) return;
      if (this.clock.now() >= deadline) throw await fail('timeout');
      await this.clock.sleep(opts.intervalMs ?? 100);
    }
  }

  private async defaultFailure(why: NotReadyReason, timeoutMs: number): Promise<Error> {
    const what = why === 'exited' ? 'exited while starting' : `was not ready within ${timeoutMs / 1000}s`;
    return new DaemonStartError(`${this.id.name} ${what}; last log lines:\n${await this.logTail()}`);
  }

  /**
   * SIGTERMs the daemon and waits up to `graceMs`; then, unless `kill` is false, SIGKILLs it. The pid file is removed
   * once the daemon is gone.
   */
  async stop(opts: StopOptions = {}): Promise<StopResult> {
    const pid = await this.pid();
    // Also any copy whose PID never reached the pid file (its starter was killed right after spawning it).
    const strays = (await processesByArgv((argv) => this.id.isOwn(argv))).filter((p) => p !== pid);
    const pids = pid === undefined ? strays : [pid, ...strays];
    if (pids.length === 0) {
      await rm(this.id.pidFile, { force: true });
      return 'not-running';
    }
    for (const p of pids) signal(p, 'SIGTERM');
    let gone = await waitGone(pids, opts.graceMs ?? 10_000, this.clock);
    if (!gone && (opts.kill ?? true)) {
      for (const p of pids) signal(p, 'SIGKILL');
      gone = await waitGone(pids, 5000, this.clock);
    }
    if (!gone) return 'still-running';
    await rm(this.id.pidFile, { force: true });
    return 'stopped';
  }

  /** The whole log ('' when there is none). */
  async log(): Promise<string> {
    return readFile(this.id.logFile, 'utf8').catch(() => '');
  }

  /** The last `lines` lines of the log, for error messages. */
  async logTail(lines = 5): Promise<string> {
    return (await this.log()).trimEnd().split('\n').slice(-lines).join('\n');
  }
}
