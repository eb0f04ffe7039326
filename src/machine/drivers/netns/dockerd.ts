/**
 * A netns host's dockerd: started detached inside the host's namespaces (output to `dockerd.log` in the machine
 * directory) so it outlives the shoal process, watched through its unix socket, and stopped by its PID. It is a
 * {@link DetachedDaemon} whose PID goes to `docker.pid.shoal`; a process counts as this machine's dockerd only when
 * its argv holds the machine's unique `--config-file` path, so a recycled PID is never hit.
 */
import { readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { DetachedDaemon } from '../../../host/detached-daemon.js';
import { processTrees } from '../../../host/processes.js';
import { type Clock, systemClock } from '../../../util/clock.js';
import { EngineStartError } from './errors.js';
import type { MachineLayout } from './layout.js';

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

/** Reads the launch record; undefined before the first provisioning. */
export async function readLaunchRecord(layout: MachineLayout): Promise<LaunchRecord | undefined> {
  const text = await readFile(layout.launch, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as LaunchRecord);
}

/**
 * True when `argv` is a machine's dockerd: it names the machine's own `--config-file` (a path unique to the
 * machine's folder in the store) and a `dockerd` binary.
 */
export function isDockerdArgv(argv: readonly string[] | undefined, daemonJson: string): boolean {
  return !!argv?.includes(daemonJson) && argv.some((a) => a.endsWith('dockerd'));
}

/**
 * The machine's dockerd processes wherever they run, plus their descendants (containerd, shims): found by the
 * machine's `--config-file`, so also an engine left in a namespace the machine no longer has.
 */
export function dockerdProcesses(daemonJson: string): Promise<number[]> {
  return processTrees(async (pid) => {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    return raw.includes(daemonJson) && isDockerdArgv(raw.replace(/\0$/, '').split('\0'), daemonJson);
  });
}

/** The machine's dockerd as a detached daemon. */
export function dockerdDaemon(layout: MachineLayout, clock: Clock = systemClock): DetachedDaemon {
  return new DetachedDaemon(
    {
      name: 'dockerd',
      pidFile: `${layout.pidFile}.shoal`,
      logFile: layout.log,
      isOwn: (argv) => isDockerdArgv(argv, layout.daemonJson),
    },
    clock,
  );
}

/** The PID of this machine's running dockerd, or undefined when it is not running. */
export async function dockerdPid(layout: MachineLayout): Promise<number | undefined> {
  return dockerdDaemon(layout).pid();
}

/** Starts dockerd in the namespaces of `ns`, detached; returns its PID. Does not wait for the API. */
export async function launchDockerd(
  ns: string,
  layout: MachineLayout,
  rec: LaunchRecord,
  clock: Clock,
): Promise<number> {
  // dockerd trusts containerd's pid file while that PID exists, even as a not yet reaped zombie of a killed engine;
  // callers have ended every process of the machine, so the file is stale.
  await rm(join(layout.execRoot, 'containerd', 'containerd.pid'), { force: true });
  return dockerdDaemon(layout, clock).spawn({
    ns,
    argv: [rec.dockerd, '--config-file', layout.daemonJson, ...rec.flags],
    env: { ...rec.env },
    cwd: '/',
  });
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
 * Waits until the engine answers on its unix socket. Throws {@link EngineStartError} with the log's reason when
 * dockerd exits first or does not answer within `timeoutMs`.
 */
export async function waitForDockerd(
  layout: MachineLayout,
  pid: number,
  clock: Clock,
  timeoutMs = 90_000,
): Promise<void> {
  await dockerdDaemon(layout, clock).waitReady(pid, () => ping(layout.socket), {
    timeoutMs,
    failure: async (why) =>
      new EngineStartError(
        why === 'exited'
          ? `dockerd exited while starting: ${await logReason(layout)}`
          : `dockerd did not answer within ${timeoutMs / 1000}s: ${await logReason(layout)} (log: ${layout.log})`,
      ),
  });
}

/** Sends SIGTERM to the engine and waits up to `timeoutMs` for it to exit; returns false if it is still running. */
export async function terminateDockerd(
  layout: MachineLayout,
  clock: Clock,
  timeoutMs = 30_000,
): Promise<boolean> {
  return (await dockerdDaemon(layout, clock).stop({ graceMs: timeoutMs, kill: false })) !== 'still-running';
}
