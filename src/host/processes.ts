/**
 * Finding and ending processes on this machine through `/proc`. A shoal host's dockerd, containerd and the
 * containers' shims share the host's network namespace; container processes have their own namespaces but descend
 * from the shims. So "the host's processes" = every process whose `/proc/PID/ns/net` is the host's, plus all their
 * descendants ({@link namespaceProcesses}).
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../util/clock.js';

/** Reads of an empty command line before a live process counts as having none (a kernel thread). */
const EMPTY_READS = 25;

/**
 * The argv of a live process, or undefined when it is gone or has none (a kernel thread). A process in the middle
 * of an exec shows an empty command line for a moment: right after spawning `nsenter … -- cmd` (which enters the
 * namespaces, then execs `cmd`), about 7% of first reads came back empty. So an empty read is tried again,
 * 2 ms apart, before it counts.
 */
export async function processArgv(pid: number): Promise<string[] | undefined> {
  for (let attempt = 1; ; attempt++) {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
    if (raw === undefined) return undefined;
    if (raw !== '') return raw.replace(/\0$/, '').split('\0');
    if (attempt === EMPTY_READS) return undefined;
    await delay(2);
  }
}

/** True when the process exists and is not a zombie. */
export async function isAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

async function listPids(): Promise<number[]> {
  return (await readdir('/proc')).filter((n) => /^\d+$/.test(n)).map(Number);
}

async function parentOf(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** PIDs that `isRoot` picks (never this process), plus all their descendants. */
export async function processTrees(isRoot: (pid: number) => Promise<boolean>): Promise<number[]> {
  const pids = await listPids();
  const inside = new Set<number>();
  const parents = new Map<number, number>();
  for (const pid of pids) {
    if (pid === process.pid) continue;
    if (await isRoot(pid)) inside.add(pid);
    const ppid = await parentOf(pid);
    if (ppid !== undefined) parents.set(pid, ppid);
  }
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!inside.has(pid) && inside.has(ppid)) {
        inside.add(pid);
        grew = true;
      }
    }
  }
  return [...inside];
}

/**
 * PIDs (never this process) whose command line `isOwn` recognises. Reads each command line once: a process caught
 * mid-exec is missed, which callers that loop (kill, then look again) tolerate.
 */
export async function processesByArgv(isOwn: (argv: readonly string[]) => boolean): Promise<number[]> {
  const found: number[] = [];
  for (const pid of await listPids()) {
    if (pid === process.pid) continue;
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (raw && isOwn(raw.split('\0').filter((a) => a !== ''))) found.push(pid);
  }
  return found;
}

/** PIDs inside the network namespace with inode `netInode`, plus their descendants. */
export function namespaceProcesses(netInode: number): Promise<number[]> {
  const marker = `net:[${netInode}]`;
  return processTrees(
    async (pid) => (await readlink(`/proc/${pid}/ns/net`).catch(() => undefined)) === marker,
  );
}

/** Sends `signal` to `pid`, ignoring a process that is already gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Waits until none of `pids` is alive; returns false if some still are after `timeoutMs`. */
export async function waitGone(pids: readonly number[], timeoutMs: number, clock: Clock): Promise<boolean> {
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    const alive: number[] = [];
    for (const p of pids) if (await isAlive(p)) alive.push(p);
    if (alive.length === 0) return true;
    if (clock.now() >= deadline) return false;
    await clock.sleep(50);
  }
}

/**
 * SIGKILLs what `find` lists until it lists nothing alive (bounded number of rounds), e.g. the
 * {@link namespaceProcesses} of a host's network namespace.
 */
export async function killProcesses(find: () => Promise<number[]>, clock: Clock): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const pids = await find();
    const alive: number[] = [];
    for (const p of pids) if (await isAlive(p)) alive.push(p);
    if (alive.length === 0) return;
    for (const p of alive) signal(p, 'SIGKILL');
    await waitGone(alive, 2000, clock);
  }
}
