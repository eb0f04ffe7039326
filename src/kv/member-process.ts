import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DetachedDaemon } from '../host/detached-daemon.js';
import { type Clock, systemClock } from '../util/clock.js';

/**
 * TLS of a member: its certificate (EKU serverAuth and clientAuth, IP SAN of its address) serves client and peer
 * traffic, and clients and peers must present a certificate signed by `caFile`.
 */
export interface MemberTls {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

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
  /** Client and peer TLS with client-certificate auth (the URLs are then `https://`); omitted = plain HTTP. */
  readonly tls?: MemberTls;
}

/** etcd's flags for {@link MemberTls}: the same certificate and CA for client and peer traffic. */
function tlsFlags(tls: MemberTls | undefined): string[] {
  if (!tls) return [];
  return [
    '--cert-file',
    tls.certFile,
    '--key-file',
    tls.keyFile,
    '--trusted-ca-file',
    tls.caFile,
    '--client-cert-auth',
    '--peer-cert-file',
    tls.certFile,
    '--peer-key-file',
    tls.keyFile,
    '--peer-trusted-ca-file',
    tls.caFile,
    '--peer-client-cert-auth',
  ];
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
    ...tlsFlags(m.tls),
  ];
}

/** The member's etcd process as a detached daemon: `etcd.pid` and `etcd.log` in its folder. */
export function memberDaemon(m: MemberLaunch, clock: Clock = systemClock): DetachedDaemon {
  const dataDir = join(m.dir, 'data');
  return new DetachedDaemon(
    {
      name: `etcd member ${m.name}`,
      pidFile: join(m.dir, 'etcd.pid'),
      logFile: join(m.dir, 'etcd.log'),
      isOwn: (argv) => argv.includes(m.name) && argv.includes(dataDir),
    },
    clock,
  );
}

/**
 * The member's live PID from its PID file, or undefined. A PID whose command line is not this member's etcd (a
 * reused PID) counts as not running.
 */
export async function memberPid(m: MemberLaunch): Promise<number | undefined> {
  return memberDaemon(m).pid();
}

/**
 * Starts the member detached from this process (its own session, output to `etcd.log`), so it outlives the CLI,
 * and records its PID. Returns the PID; an already running member is left alone.
 */
export async function launchMember(m: MemberLaunch): Promise<number> {
  const daemon = memberDaemon(m);
  const running = await daemon.pid();
  if (running) return running;
  await mkdir(join(m.dir, 'data'), { recursive: true, mode: 0o700 });
  return daemon.spawn({ argv: memberArgv(m), ...(m.ns ? { ns: m.ns } : {}) });
}

/** Stops the member by its recorded PID (TERM, then KILL after `graceMs`). Returns whether it was running. */
export async function terminateMember(m: MemberLaunch, clock: Clock, graceMs = 10_000): Promise<boolean> {
  return (await memberDaemon(m, clock).stop({ graceMs })) !== 'not-running';
}

/** The last `lines` lines of the member's log, for error messages. */
export async function memberLogTail(m: MemberLaunch, lines = 5): Promise<string> {
  return memberDaemon(m).logTail(lines);
}
