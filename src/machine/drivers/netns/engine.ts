/**
 * Starting, watching and stopping a netns machine's dockerd. The engine runs detached (own session, output to
 * `dockerd.log` in the machine directory) inside the machine's namespaces, so it outlives the shoal process. Its PID
 * goes to `engine.pid`; before signalling, the PID is checked to still be this machine's dockerd (its argv holds
 * the machine's unique `--config-file` path), so a recycled PID is never hit.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Clock } from '../../../util/clock.js';
import { writeFileAtomic } from '../../store/atomic-write.js';
import { EngineStartError } from './errors.js';
import type { MachineLayout } from './layout.js';
import { nsenterArgv } from './namespaces.js';
import { isAlive, isEngineArgv, processArgv, signal, waitGone } from './processes.js';

/** What `start` needs to launch the engine again: written by the provisioner to `engine.json`. */
export interface LaunchRecord {
  /** dockerd binary (absolute path). */
  readonly dockerd: string;
  /** Flags after `--config-file <daemon.json>`. */
  readonly flags: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The TLS port the engine listens on. */
  readonly port: number;
}

/** File holding the launched dockerd's PID. */
function pidPath(layout: MachineLayout): string {
  return `${layout.pidFile}.shoal`;
}

/** Reads the launch record; undefined before the first provisioning. */
export async function readLaunchRecord(layout: MachineLayout): Promise<LaunchRecord | undefined> {
  const text = await readFile(layout.launch, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as LaunchRecord);
}

/** The PID of this machine's running dockerd, or undefined when it is not running. */
export async function enginePid(layout: MachineLayout): Promise<number | undefined> {
  const text = await readFile(pidPath(layout), 'utf8').catch(() => undefined);
  const pid = Number(text?.trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (!(await isAlive(pid))) return undefined;
  return isEngineArgv(await processArgv(pid), layout.daemonJson) ? pid : undefined;
}

/** Starts dockerd in the namespaces of `ns`, detached; returns its PID. Does not wait for the API. */
export async function launchEngine(ns: string, layout: MachineLayout, rec: LaunchRecord): Promise<number> {
  // dockerd trusts containerd's pid file while that PID exists, even as a not yet reaped zombie of a killed engine;
  // callers have ended every process of the machine, so the file is stale.
  await rm(join(layout.execRoot, 'containerd', 'containerd.pid'), { force: true });
  const argv = nsenterArgv(ns, [rec.dockerd, '--config-file', layout.daemonJson, ...rec.flags]);
  const log = openSync(layout.log, 'a', 0o600);
  try {
    const child = spawn(argv[0]!, argv.slice(1), {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...rec.env },
      cwd: '/',
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', (e) =>
        reject(new EngineStartError(`Cannot start ${rec.dockerd}: ${e.message}`, { cause: e })),
      );
      child.once('spawn', () => resolve(child.pid!));
    });
    child.unref();
    await writeFileAtomic(pidPath(layout), `${pid}\n`);
    return pid;
  } finally {
    closeSync(log);
  }
}

/**
 * The one line of the engine log that best says why dockerd failed: the last plain line mentioning a failure (dockerd's
 * own `failed to start daemon: ...`), else the last error/fatal message without logrus' `time=... level=...`
 * decoration, else the last line.
 */
export function failureReason(log: string): string {
  const lines = log
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const msg = (l: string): string => /msg="((?:[^"\\]|\\.)*)"/.exec(l)?.[1]?.replace(/\\"/g, '"') ?? l;
  const pick =
    lines.findLast((l) => !l.startsWith('time=') && /fail|unknown|invalid|error|denied|conflict/i.test(l)) ??
    lines.findLast((l) => /level=(fatal|error)/.test(l)) ??
    lines.at(-1) ??
    '(empty log)';
  return msg(pick)
    .replace(/^Status: /, '')
    .replace(/, Code: \d+$/, '');
}

/** {@link failureReason} of the machine's engine log. */
export async function logReason(layout: MachineLayout): Promise<string> {
  return failureReason(await readFile(layout.log, 'utf8').catch(() => ''));
}

/** One `GET /_ping` on the engine's unix socket; true on `OK`. */
function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', method: 'GET', timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve(res.statusCode === 200 && body === 'OK'));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * Waits until the engine answers on its unix socket. Throws {@link EngineStartError} with the log's last lines
 * when dockerd exits first or does not answer within `timeoutMs`.
 */
export async function waitForEngine(
  layout: MachineLayout,
  pid: number,
  clock: Clock,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    if (!(await isAlive(pid))) {
      throw new EngineStartError(`dockerd exited while starting: ${await logReason(layout)}`);
    }
    if (await ping(layout.socket)) return;
    if (clock.now() >= deadline) {
      throw new EngineStartError(
        `dockerd did not answer within ${timeoutMs / 1000}s: ${await logReason(layout)} (log: ${layout.log})`,
      );
    }
    await clock.sleep(100);
  }
}

/** Sends SIGTERM to the engine and waits up to `timeoutMs` for it to exit; returns false if it is still running. */
export async function terminateEngine(
  layout: MachineLayout,
  clock: Clock,
  timeoutMs = 30_000,
): Promise<boolean> {
  const pid = await enginePid(layout);
  if (pid === undefined) return true;
  signal(pid, 'SIGTERM');
  return waitGone([pid], timeoutMs, clock);
}
