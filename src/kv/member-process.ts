import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nsenterArgv } from '../machine/drivers/netns/namespaces.js';
import { isAlive, processArgv, signal, waitGone } from '../machine/drivers/netns/processes.js';
import type { Clock } from '../util/clock.js';

/** Everything needed to launch one etcd member process. */
export interface MemberLaunch {
  /** etcd `--name`, unique in the cluster. */
  readonly name: string;
  /** Member folder: `data/` (etcd's data dir), `etcd.pid`, `etcd.log`. */
  readonly dir: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  /** `name=peerUrl,...` for every member. */
  readonly initialCluster: string;
  readonly clusterToken: string;
  /** Network namespace set of a netns shoal host to run in (entered with nsenter); omitted = this namespace. */
  readonly ns?: string;
  /** etcd binary (default `etcd` from PATH). */
  readonly binary?: string;
}

/** The etcd argv for a member: v2 API on (the engines' `--cluster-store=etcd://` needs it), static bootstrap. */
export function memberArgv(m: MemberLaunch): string[] {
  return [
    m.binary ?? 'etcd',
    '--name',
    m.name,
    '--data-dir',
    join(m.dir, 'data'),
    '--listen-client-urls',
    m.clientUrl,
    '--advertise-client-urls',
    m.clientUrl,
    '--listen-peer-urls',
    m.peerUrl,
    '--initial-advertise-peer-urls',
    m.peerUrl,
    '--initial-cluster',
    m.initialCluster,
    '--initial-cluster-token',
    m.clusterToken,
    '--initial-cluster-state',
    'new',
    '--enable-v2=true',
    '--logger',
    'zap',
    '--log-outputs',
    'stderr',
  ];
}

const pidFile = (m: MemberLaunch): string => join(m.dir, 'etcd.pid');
const logFile = (m: MemberLaunch): string => join(m.dir, 'etcd.log');

/**
 * The member's live PID from its PID file, or undefined. A PID whose command line is not this member's etcd (a
 * reused PID) counts as not running.
 */
export async function memberPid(m: MemberLaunch): Promise<number | undefined> {
  const text = await readFile(pidFile(m), 'utf8').catch(() => undefined);
  const pid = Number(text?.trim());
  if (!Number.isInteger(pid) || pid <= 0 || !(await isAlive(pid))) return undefined;
  const argv = await processArgv(pid);
  if (!argv?.includes(m.name) || !argv.includes(join(m.dir, 'data'))) return undefined;
  return pid;
}

/**
 * Starts the member detached from this process (its own session, output to `etcd.log`), so it outlives the CLI,
 * and records its PID. Returns the PID; an already running member is left alone.
 */
export async function launchMember(m: MemberLaunch): Promise<number> {
  const running = await memberPid(m);
  if (running) return running;
  await mkdir(join(m.dir, 'data'), { recursive: true, mode: 0o700 });
  const argv = m.ns ? nsenterArgv(m.ns, memberArgv(m)) : memberArgv(m);
  const fd = openSync(logFile(m), 'a', 0o600);
  try {
    const child = spawn(argv[0] as string, argv.slice(1), { detached: true, stdio: ['ignore', fd, fd] });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid as number));
    });
    child.unref();
    await writeFile(pidFile(m), `${pid}\n`, { mode: 0o600 });
    return pid;
  } finally {
    closeSync(fd);
  }
}

/** Stops the member by its recorded PID (TERM, then KILL after `graceMs`). Returns whether it was running. */
export async function terminateMember(m: MemberLaunch, clock: Clock, graceMs = 10_000): Promise<boolean> {
  const pid = await memberPid(m);
  if (!pid) {
    await rm(pidFile(m), { force: true });
    return false;
  }
  signal(pid, 'SIGTERM');
  if (!(await waitGone([pid], graceMs, clock))) {
    signal(pid, 'SIGKILL');
    await waitGone([pid], 5000, clock);
  }
  await rm(pidFile(m), { force: true });
  return true;
}

/** The last `lines` lines of the member's log, for error messages. */
export async function memberLogTail(m: MemberLaunch, lines = 5): Promise<string> {
  const text = await readFile(logFile(m), 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
