/**
 * Preflight of `shoal up -f hosts.json`: before anything is changed, every host is probed over SSH with one
 * command (root or passwordless sudo, dockerd and its version, etcd, systemd, listening ports, clock). The answers
 * are judged by pure functions; every failure is one line naming the host.
 */
import { access } from 'node:fs/promises';
import { shQuote } from '../../machine/drivers/generic/generic-provisioner.js';
import { sshExec } from '../../machine/drivers/generic/ssh-client.js';
import type { Clock } from '../../util/clock.js';
import type { RemoteHost } from './hosts-file.js';
import type { HostPlan } from './plan.js';
import { RemoteShell } from './remote-shell.js';

/** dockerd removed `--cluster-store` (overlay networks over an external KV store) in this major version. */
export const CLUSTER_STORE_REMOVED_MAJOR = 23;
/** Largest accepted difference between a host's clock and this machine's (etcd leases, TLS validity). */
export const MAX_CLOCK_SKEW_MS = 2000;

/** The script run on every host; each answer is one `key=value` line, then the listening sockets. */
export const PROBE_SCRIPT = [
  'echo "uid=$(id -u)"',
  'if [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then echo root=yes; else echo root=no; fi',
  'echo "dockerd=$(dockerd --version 2>/dev/null | head -n 1)"',
  'echo "etcd=$(etcd --version 2>/dev/null | head -n 1)"',
  'echo "etcdpath=$(command -v etcd)"',
  'if [ -d /run/systemd/system ]; then echo systemd=yes; else echo systemd=no; fi',
  'echo "now=$(date +%s%N)"',
  'echo listen:',
  "(ss -Htln 2>/dev/null || netstat -tln 2>/dev/null) | awk '{print $4}'",
].join('; ');

/** What the probe found on a host. */
export interface HostFacts {
  readonly root: boolean;
  /** `Docker version 20.10.24+dfsg1, build 297e128`, or '' when dockerd is missing. */
  readonly dockerd: string;
  /** etcd's first version line, or '' when the host has no working etcd. */
  readonly etcd: string;
  /** Where that etcd is (meaningful only when {@link etcd} is set). */
  readonly etcdPath: string;
  readonly systemd: boolean;
  /** The host's clock (ms since the epoch), or undefined when `date` cannot print nanoseconds. */
  readonly nowMs: number | undefined;
  readonly listening: readonly number[];
}

/** Parses the probe's output. */
export function parseProbe(stdout: string): HostFacts {
  const [head = '', tail = ''] = stdout.split(/^listen:$/m);
  const kv = new Map<string, string>();
  for (const line of head.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  const ns = kv.get('now') ?? '';
  const listening = new Set<number>();
  for (const addr of tail.split('\n')) {
    const port = /[:.](\d+)$/.exec(addr.trim())?.[1];
    if (port) listening.add(Number(port));
  }
  return {
    root: kv.get('root') === 'yes',
    dockerd: kv.get('dockerd') ?? '',
    etcd: kv.get('etcd') ?? '',
    etcdPath: kv.get('etcdpath') ?? '',
    systemd: kv.get('systemd') === 'yes',
    nowMs: /^\d{19}$/.test(ns) ? Math.round(Number(BigInt(ns) / 1000n) / 1000) : undefined,
    listening: [...listening].sort((a, b) => a - b),
  };
}

/** The major version of `dockerd --version`'s line (`Docker version 20.10.24...` → 20), or undefined. */
export function dockerdMajor(line: string): number | undefined {
  const m = /version v?(\d+)\./i.exec(line);
  return m ? Number(m[1]) : undefined;
}

/**
 * Judges a host's facts against its plan. `skewMs` is its clock minus this machine's (undefined = unknown);
 * `made` says `up` already made the host (its own ports are then in use by design). Returns the problems.
 */
export function judgeHost(
  plan: HostPlan,
  facts: HostFacts,
  skewMs: number | undefined,
  made: boolean,
): string[] {
  const h = plan.host;
  const out: string[] = [];
  if (!facts.root) out.push(`user ${h.sshUser} is not root and cannot run sudo without a password`);
  if (plan.machine) {
    const major = dockerdMajor(facts.dockerd);
    if (!facts.dockerd) out.push('dockerd is not installed (install docker.io 20.10; nothing is downloaded)');
    else if (major === undefined) out.push(`cannot read the dockerd version from "${facts.dockerd}"`);
    else if (major >= CLUSTER_STORE_REMOVED_MAJOR) {
      out.push(
        `${facts.dockerd} has no --cluster-store (removed in Docker ${CLUSTER_STORE_REMOVED_MAJOR}); overlay networks need dockerd 20.10 or older`,
      );
    }
  }
  if (!made) {
    const busy = plan.ports.filter((p) => facts.listening.includes(p));
    if (busy.length) out.push(`port${busy.length > 1 ? 's' : ''} ${busy.join(', ')} already in use`);
  }
  if (skewMs !== undefined && Math.abs(skewMs) > MAX_CLOCK_SKEW_MS) {
    out.push(
      `its clock is ${(Math.abs(skewMs) / 1000).toFixed(1)} s ${skewMs > 0 ? 'ahead of' : 'behind'} this machine's (allowed: ${MAX_CLOCK_SKEW_MS / 1000} s; run NTP)`,
    );
  }
  return out;
}

/** The outcome of probing one host. */
export interface ProbeResult {
  readonly host: RemoteHost;
  readonly facts?: HostFacts;
  readonly problems: readonly string[];
}

/** Probes one host (key readable, SSH, then {@link PROBE_SCRIPT}) and judges it. Never throws. */
export async function probeHost(plan: HostPlan, made: boolean, clock: Clock): Promise<ProbeResult> {
  const host = plan.host;
  if (host.sshKey) {
    const readable = await access(host.sshKey).then(
      () => true,
      () => false,
    );
    if (!readable) return { host, problems: [`SSH key ${host.sshKey} cannot be read`] };
  }
  const shell = new RemoteShell(host);
  const t0 = clock.now();
  let stdout: string;
  try {
    stdout = (await sshExec(shell.target(), `sh -c ${shQuote(PROBE_SCRIPT)}`)).stdout;
  } catch (err) {
    return {
      host,
      problems: [
        `cannot reach ${host.sshUser}@${host.ip}:${host.sshPort} over SSH: ${(err as Error).message}`,
      ],
    };
  }
  const t1 = clock.now();
  const facts = parseProbe(stdout);
  // The host read its clock somewhere between t0 and t1: only a reading outside that window is skew.
  const now = facts.nowMs;
  const skew = now === undefined ? undefined : now < t0 ? now - t0 : now > t1 ? now - t1 : 0;
  return { host, facts, problems: judgeHost(plan, facts, skew, made) };
}

/** One line per problem, `host (ip): problem`. */
export function formatProblems(results: readonly ProbeResult[]): string[] {
  return results.flatMap((r) => r.problems.map((p) => `${r.host.name} (${r.host.ip}): ${p}`));
}
