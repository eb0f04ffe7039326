import { readFile, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { writeFileAtomic } from '../host/atomic-write.js';
import { type Clock, systemClock } from '../util/clock.js';
import { KvMemberStartError, KvSpecError, KvUnavailableError } from './errors.js';
import {
  launchMember,
  type MemberLaunch,
  memberLogTail,
  memberPid,
  terminateMember,
} from './member-process.js';

/** One member of a KV cluster: which shoal host runs it and on which address. */
export interface KvMemberSpec {
  /** Shoal host (machine) name running this member. */
  readonly host: string;
  /** Address the member listens on (the host's IP). */
  readonly ip: string;
  /** Network namespace set of a netns host (`netnsName(prefix, host)`); omit to run in this namespace. */
  readonly ns?: string;
  /** Client port (default 2379). */
  readonly clientPort?: number;
  /** Peer port (default 2380). */
  readonly peerPort?: number;
}

/** Spec of a KV cluster, as `shoal up` declares it. */
export interface KvClusterSpec {
  /** Cluster name; members are `<name>-<i>`. */
  readonly name: string;
  readonly members: readonly KvMemberSpec[];
  /** Folder holding `cluster.json` and one folder per member (etcd data, PID file, log). */
  readonly dataDir: string;
  /** etcd binary (default `etcd`). */
  readonly binary?: string;
  /** Client and peer TLS with client-certificate auth; omitted = plain HTTP (loopback test clusters). */
  readonly tls?: KvTls;
}

/** TLS files of a KV cluster. */
export interface KvTls {
  /** The CA every member and client certificate is signed by. */
  readonly caFile: string;
  /** The members' certificate (serverAuth + clientAuth, IP SANs of the members' addresses) and key. */
  readonly certFile: string;
  readonly keyFile: string;
  /** A client certificate (clientAuth) and key for shoal's own status calls. */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

/** POSTs `{}` to `url` (with the client certificate when `tls` is given) and parses the JSON answer. */
async function postStatus(url: string, tls: KvTls | undefined, timeoutMs: number): Promise<unknown> {
  const creds = tls
    ? await Promise.all([readFile(tls.caFile), readFile(tls.clientCertFile), readFile(tls.clientKeyFile)])
    : undefined;
  return new Promise((resolve, reject) => {
    const opts = { method: 'POST', timeout: timeoutMs, headers: { 'content-type': 'application/json' } };
    const onResponse = (res: IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 300) {
          reject(new KvUnavailableError(`HTTP ${res.statusCode}`));
          return;
        }
        try {
          resolve(JSON.parse(body));
        } catch (err) {
          reject(new KvUnavailableError(`unreadable status answer from ${url}`, { cause: err }));
        }
      });
    };
    const req = creds
      ? httpsRequest(url, { ...opts, ca: creds[0], cert: creds[1], key: creds[2] }, onResponse)
      : httpRequest(url, opts, onResponse);
    req.on('timeout', () => req.destroy(new KvUnavailableError(`timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end('{}');
  });
}

/** Health of one member, for `shoal status`. */
export interface KvMemberHealth {
  readonly name: string;
  readonly host: string;
  /** `ip:port` of the member's client URL. */
  readonly endpoint: string;
  /** PID of the member's process when running. */
  readonly pid: number | undefined;
  /** The member answered its status call. */
  readonly reachable: boolean;
  /** The member is the raft leader. */
  readonly leader: boolean;
  /** The store revision the member reports (0 when unreachable). */
  readonly revision: number;
  /** Why it is unreachable, when it is. */
  readonly error?: string;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/**
 * A static etcd v3 cluster (v2 API on, for the engines' cluster store) whose members run as detached processes,
 * each in the network namespace of its shoal host: the tutorial's three Consul servers. Clients use the members'
 * client URLs directly ({@link endpoints}); the etcd v3 client and dockerd's `--cluster-store=etcd://a,b,c` both
 * balance and fail over across them, which is the role the tutorial's Consul client agents played.
 */
export class KvCluster {
  private readonly clock: Clock;

  constructor(
    readonly spec: KvClusterSpec,
    opts: { clock?: Clock } = {},
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  /** Member launch records, in spec order. */
  members(): MemberLaunch[] {
    const token = `${this.spec.name}-kv`;
    const tls = this.spec.tls;
    const scheme = tls ? 'https' : 'http';
    const urls = this.spec.members.map((m) => ({
      client: `${scheme}://${m.ip}:${m.clientPort ?? 2379}`,
      peer: `${scheme}://${m.ip}:${m.peerPort ?? 2380}`,
    }));
    const initialCluster = urls.map((u, i) => `${this.memberName(i)}=${u.peer}`).join(',');
    return this.spec.members.map((m, i) => ({
      name: this.memberName(i),
      dir: join(this.spec.dataDir, this.memberName(i)),
      clientUrl: urls[i]?.client as string,
      peerUrl: urls[i]?.peer as string,
      initialCluster,
      clusterToken: token,
      ...(m.ns ? { ns: m.ns } : {}),
      ...(this.spec.binary ? { binary: this.spec.binary } : {}),
      ...(tls ? { tls: { caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.keyFile } } : {}),
    }));
  }

  /** `ip:port` client endpoints of every member, e.g. for `etcd://` + `endpoints().join(',')`. */
  endpoints(): string[] {
    return this.spec.members.map((m) => `${m.ip}:${m.clientPort ?? 2379}`);
  }

  /**
   * Starts every member that is not running (all at once: a static cluster needs a quorum to come up), then waits
   * until each answers and a leader exists. @throws KvMemberStartError with the failing member's log tail.
   */
  async start(timeoutMs = 60_000): Promise<void> {
    await this.save();
    for (const m of this.members()) await launchMember(m);
    await this.waitHealthy(timeoutMs);
  }

  /** Starts member `i` again (after {@link stopMember}) and waits until it answers. */
  async startMember(i: number, timeoutMs = 60_000): Promise<void> {
    const m = this.member(i);
    await launchMember(m);
    await this.waitMember(i, timeoutMs);
  }

  /** Stops member `i` by its PID. Returns whether it was running. */
  async stopMember(i: number): Promise<boolean> {
    return terminateMember(this.member(i), this.clock);
  }

  /** Stops every member (the data stays). */
  async stop(): Promise<void> {
    for (let i = 0; i < this.spec.members.length; i++) await this.stopMember(i);
  }

  /** Stops every member and deletes the data folder. */
  async remove(): Promise<void> {
    await this.stop();
    await rm(this.spec.dataDir, { recursive: true, force: true });
  }

  /** Per-member reachability, leadership and revision (each status call times out after `timeoutMs`). */
  async health(timeoutMs = 2000): Promise<KvMemberHealth[]> {
    return Promise.all(this.members().map((m, i) => this.memberHealth(m, i, timeoutMs)));
  }

  private async memberHealth(m: MemberLaunch, i: number, timeoutMs: number): Promise<KvMemberHealth> {
    const spec = this.spec.members[i] as KvMemberSpec;
    const base = {
      name: m.name,
      host: spec.host,
      endpoint: this.endpoints()[i] as string,
      pid: await memberPid(m),
    };
    try {
      const s = (await postStatus(`${m.clientUrl}/v3/maintenance/status`, this.spec.tls, timeoutMs)) as {
        header?: { member_id?: string; revision?: string };
        leader?: string;
      };
      return {
        ...base,
        reachable: true,
        leader: s.leader !== undefined && s.leader === s.header?.member_id,
        revision: Number(s.header?.revision ?? 0),
      };
    } catch (err) {
      return { ...base, reachable: false, leader: false, revision: 0, error: (err as Error).message };
    }
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      const h = await this.health();
      if (h.every((m) => m.reachable) && h.some((m) => m.leader)) return;
      const dead = h.findIndex((m) => m.pid === undefined);
      if (dead >= 0 || this.clock.now() >= deadline) {
        const i = dead >= 0 ? dead : h.findIndex((m) => !m.reachable);
        throw await this.startError(Math.max(0, i), dead >= 0 ? 'exited' : 'did not become healthy in time');
      }
      await this.clock.sleep(200);
    }
  }

  private async waitMember(i: number, timeoutMs: number): Promise<void> {
    const deadline = this.clock.now() + timeoutMs;
    const m = this.member(i);
    for (;;) {
      const h = await this.memberHealth(m, i, 2000);
      if (h.reachable) return;
      if (h.pid === undefined) throw await this.startError(i, 'exited');
      if (this.clock.now() >= deadline) throw await this.startError(i, 'did not become healthy in time');
      await this.clock.sleep(200);
    }
  }

  private async startError(i: number, what: string): Promise<KvMemberStartError> {
    const m = this.member(i);
    return new KvMemberStartError(
      `etcd member ${m.name} ${what}; last log lines:\n${await memberLogTail(m)}`,
    );
  }

  private member(i: number): MemberLaunch {
    const m = this.members()[i];
    if (!m) throw new KvSpecError(`no KV member ${i} (cluster has ${this.spec.members.length})`);
    return m;
  }

  private memberName(i: number): string {
    return `${this.spec.name}-${i}`;
  }

  /** Writes `cluster.json` atomically so later commands can {@link loadKvCluster}. */
  private async save(): Promise<void> {
    const record = `${JSON.stringify({ configVersion: 1, ...this.spec }, null, 2)}\n`;
    await writeFileAtomic(join(this.spec.dataDir, 'cluster.json'), record);
  }
}

/**
 * Validates a spec and returns its cluster (nothing is started: call `start()`).
 * @throws KvSpecError on no members, a bad name, or two members sharing an endpoint.
 */
export function createKvCluster(spec: KvClusterSpec, opts: { clock?: Clock } = {}): KvCluster {
  if (!NAME.test(spec.name)) throw new KvSpecError(`invalid KV cluster name "${spec.name}"`);
  if (spec.members.length === 0) throw new KvSpecError('a KV cluster needs at least one member');
  const seen = new Set<string>();
  for (const m of spec.members) {
    for (const ep of [`${m.ip}:${m.clientPort ?? 2379}`, `${m.ip}:${m.peerPort ?? 2380}`]) {
      if (seen.has(ep)) throw new KvSpecError(`two KV members would listen on ${ep}`);
      seen.add(ep);
    }
  }
  return new KvCluster(spec, opts);
}

/**
 * Loads the cluster recorded in `dataDir/cluster.json` by an earlier `start()`, or undefined when there is none.
 * @throws KvUnavailableError when the record is unreadable.
 */
export async function loadKvCluster(
  dataDir: string,
  opts: { clock?: Clock } = {},
): Promise<KvCluster | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, 'cluster.json'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KvUnavailableError(`cannot read KV cluster record in ${dataDir}`, { cause: err });
  }
  try {
    const { configVersion: _v, ...spec } = JSON.parse(text) as KvClusterSpec & { configVersion: number };
    return createKvCluster({ ...spec, dataDir }, opts);
  } catch (err) {
    throw new KvUnavailableError(`corrupt KV cluster record in ${dataDir}`, { cause: err });
  }
}
