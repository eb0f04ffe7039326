/**
 * A netns machine's namespaces, and how they outlive the shoal process.
 *
 * A machine is three namespaces: network, UTS (its own hostname) and mount. None needs a holder process: each is
 * pinned by a bind mount of its `/proc/PID/ns/*` file. The network namespace is made with `ip netns add`, so it is
 * pinned at `/run/netns/<ns>` and `ip netns` lists it. The UTS and mount namespaces are made by
 * `unshare --uts=FILE --mount=FILE`, which pins them at `/run/shoal/ns/<ns>/{uts,mnt}`; that folder is a private
 * bind mount of itself because a mount namespace may only be pinned on a mount that does not propagate.
 *
 * Inside the mount namespace `/sys` is a fresh sysfs of the machine's network namespace (so `/sys/class/net` shows
 * `eth1`, which overlay networking needs) and the root's cgroup mounts are moved under it (dockerd needs them).
 * `/etc/nsswitch.conf` is the machine's with `hosts: files`: no process of the host (dockerd resolving
 * `registry-1.docker.io` after a mirror miss) asks a DNS server, so a name that is not in `/etc/hosts` fails at once
 * (Go says "no suitable address found") instead of waiting out resolver timeouts (no DNS server is reachable from
 * the bridge, and the kernel rate-limits the ICMP answers of its REJECT rule, so most queries went unanswered).
 * Every later command enters all three with `nsenter`.
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { NamespaceExistsError } from './errors.js';
import { run } from './run.js';

/** Where the UTS and mount namespaces of all netns machines are pinned. */
export const NS_ROOT = '/run/shoal/ns';
/** Where `ip netns` pins network namespaces. */
export const NETNS_DIR = '/run/netns';
/** The name-service switch that each host's mount namespace replaces (see the module comment). */
const NSSWITCH = '/etc/nsswitch.conf';

/** The pinned namespace files of one machine. */
export interface NamespacePaths {
  readonly net: string;
  readonly uts: string;
  readonly mnt: string;
  /** Folder holding `uts` and `mnt`. */
  readonly dir: string;
  /** Names the machine directory that made the namespaces, so no other store's machine ever removes them. */
  readonly owner: string;
}

/** The pinned namespace files of the namespace set called `ns`. */
export function namespacePaths(ns: string): NamespacePaths {
  const dir = join(NS_ROOT, ns);
  return {
    net: join(NETNS_DIR, ns),
    uts: join(dir, 'uts'),
    mnt: join(dir, 'mnt'),
    dir,
    owner: join(dir, 'owner'),
  };
}

/** Argv that runs `argv` inside the machine's network, UTS and mount namespaces. */
export function nsenterArgv(ns: string, argv: readonly string[]): string[] {
  const p = namespacePaths(ns);
  return ['nsenter', `--net=${p.net}`, `--uts=${p.uts}`, `--mount=${p.mnt}`, '--', ...argv];
}

/** Mount points of the calling process's mount namespace. */
async function mountPoints(): Promise<Set<string>> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const points = new Set<string>();
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f[4]) points.add(f[4].replace(/\\040/g, ' '));
  }
  return points;
}

/** Makes {@link NS_ROOT} a private bind mount of itself (once per boot; idempotent). */
async function ensurePrivateRoot(): Promise<void> {
  await mkdir(NS_ROOT, { recursive: true, mode: 0o700 });
  if (!(await mountPoints()).has(NS_ROOT)) {
    await run(['mount', '--bind', NS_ROOT, NS_ROOT]);
  }
  await run(['mount', '--make-private', NS_ROOT]);
}

/** The machine's name-service switch, `nsswitch`, with its `hosts` line replaced by `hosts: files`. */
export function filesOnlyNsswitch(nsswitch: string): string {
  const kept = nsswitch.split('\n').filter((l) => !/^\s*hosts\s*:/.test(l));
  while (kept.length && kept.at(-1)?.trim() === '') kept.pop();
  return [...kept, 'hosts: files', ''].join('\n');
}

// Runs inside the new UTS + mount namespaces, already in the machine's network namespace.
// $1 = hostname, $2 = a scratch folder that carries the cgroup mounts across the sysfs remount,
// $3 = the host's nsswitch.conf.
const SETUP_SCRIPT = [
  'set -e',
  'hostname "$1"',
  '[ ! -e /etc/nsswitch.conf ] || mount --bind "$3" /etc/nsswitch.conf',
  'mount --rbind /sys/fs/cgroup "$2"',
  'umount -l /sys',
  'mount -t sysfs sysfs /sys',
  'mount --move "$2" /sys/fs/cgroup',
].join('\n');

/**
 * Makes and pins the namespaces of `ns` with `hostname` set, recording `owner` (the machine directory) first. Throws
 * if a network namespace of that name exists, touching nothing then. On a later failure it removes what it made.
 */
export async function createNamespaces(ns: string, hostname: string, owner: string): Promise<void> {
  await ensurePrivateRoot();
  const p = namespacePaths(ns);
  if (await exists(p.net)) throw new NamespaceExistsError(`Network namespace "${ns}" already exists`);
  // The owner is recorded before anything is made: a process killed at any later point leaves namespaces that
  // their machine's `rm -f` recognises as its own and removes.
  await writeFileAtomic(p.owner, owner, 0o600);
  try {
    await run(['ip', 'netns', 'add', ns]);
    await writeFile(p.uts, '');
    await writeFile(p.mnt, '');
    const scratch = join(p.dir, 'cg');
    await mkdir(scratch, { recursive: true });
    const nsswitch = join(p.dir, 'nsswitch.conf');
    await writeFile(nsswitch, filesOnlyNsswitch(await readFile(NSSWITCH, 'utf8').catch(() => '')), {
      mode: 0o644,
    });
    await run([
      'nsenter',
      `--net=${p.net}`,
      'unshare',
      `--uts=${p.uts}`,
      `--mount=${p.mnt}`,
      '--propagation',
      'private',
      'sh',
      '-c',
      SETUP_SCRIPT,
      'sh',
      hostname,
      scratch,
      nsswitch,
    ]);
    await run(nsenterArgv(ns, ['ip', 'link', 'set', 'lo', 'up']));
  } catch (err) {
    await destroyNamespaces(ns);
    throw err;
  }
}

/** True when `path` exists. */
async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The machine directory recorded when the namespaces of `ns` were made; undefined when there is none. */
export async function namespaceOwner(ns: string): Promise<string | undefined> {
  return readFile(namespacePaths(ns).owner, 'utf8').catch(() => undefined);
}

/** True when all three namespaces of `ns` are pinned. */
export async function namespacesExist(ns: string): Promise<boolean> {
  const p = namespacePaths(ns);
  const points = await mountPoints();
  return points.has(p.uts) && points.has(p.mnt) && (await exists(p.net));
}

/** The inode of the machine's network namespace (matches `/proc/PID/ns/net` = `net:[INODE]`), if it exists. */
export async function netnsInode(ns: string): Promise<number | undefined> {
  return stat(namespacePaths(ns).net).then(
    (s) => s.ino,
    () => undefined,
  );
}

/**
 * Unpins and deletes the namespaces of `ns`. Idempotent. Processes still inside keep the namespaces alive until they
 * exit, so callers kill them first.
 */
export async function destroyNamespaces(ns: string): Promise<void> {
  const p = namespacePaths(ns);
  const points = await mountPoints();
  for (const f of [p.mnt, p.uts]) {
    if (points.has(f)) await run(['umount', f], { allowFail: true });
  }
  await rm(p.dir, { recursive: true, force: true });
  if (await exists(p.net)) await run(['ip', 'netns', 'delete', ns], { allowFail: true });
}
