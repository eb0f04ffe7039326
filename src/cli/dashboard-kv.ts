import type { Etcd3 } from 'etcd3';
import { Follower } from '../discovery/election/index.js';
import {
  createEtcdClient,
  type EtcdTarget,
  etcdKey,
  LEADER_PATH,
  parseEtcdTarget,
} from '../discovery/etcd-client.js';
import { splitDiscoveryUrl } from '../discovery/registry.js';
import type { DashboardKv } from '../ui/server/dashboard-server.js';
import { InvalidArgumentError } from '../util/errors.js';

/** One key of the KV view. */
export interface KvEntry {
  readonly key: string;
  readonly value: string;
  /** The lease (hex) that keeps the key alive, when it has one. */
  readonly lease?: string;
  readonly modRevision: string;
}

/** One etcd member as the overview shows it. */
export interface KvMember {
  readonly name: string;
  readonly endpoint: string;
  readonly reachable: boolean;
  readonly leader: boolean;
  readonly error?: string;
}

/** One change of primary seen while the dashboard ran. */
export interface FailoverRecord {
  /** ISO-8601 time the new primary was seen. */
  readonly at: string;
  readonly primary: string;
  readonly previous?: string;
  /** Time without a primary before this one, in ms (absent for the first primary seen). */
  readonly vacantMs?: number;
}

const MAX_HISTORY = 100;

/**
 * The dashboard's read-only view of the discovery KV (etcd v3): the keys under the discovery prefix's
 * `docker/swarm/` (node registrations and the leader key), member health, and a history of primaries kept from a
 * follower of the leader key. Nothing is ever written.
 */
export class KvView implements DashboardKv {
  readonly target: EtcdTarget;
  /** The folder shown: `<prefix>/docker/swarm`. */
  readonly root: string;
  private readonly client: Etcd3;
  private readonly follower: Follower;
  private readonly history: FailoverRecord[] = [];
  private vacantAt: number | undefined;
  private last: string | undefined;
  private readonly leaderListeners = new Set<(addr: string) => void>();

  /** @throws InvalidArgumentError for a discovery URL that is not `etcd://`. */
  constructor(discovery: string, options: Readonly<Record<string, string>> = {}) {
    const { scheme, rest } = splitDiscoveryUrl(discovery);
    if (scheme !== 'etcd')
      throw new InvalidArgumentError(`the KV view needs etcd:// discovery, not ${scheme}://`);
    this.target = parseEtcdTarget(rest, options);
    this.root = etcdKey(this.target, 'docker/swarm');
    this.client = createEtcdClient(this.target);
    this.follower = new Follower(this.client, etcdKey(this.target, LEADER_PATH), { retryMs: 500 });
    this.follower.on('vacant', () => {
      this.vacantAt ??= Date.now();
    });
    this.follower.on('leader', (addr) => {
      const changed = this.last !== undefined && this.last !== addr;
      const rec: FailoverRecord = {
        at: new Date().toISOString(),
        primary: addr,
        ...(this.last !== undefined ? { previous: this.last } : {}),
        ...(this.vacantAt !== undefined ? { vacantMs: Date.now() - this.vacantAt } : {}),
      };
      this.vacantAt = undefined;
      this.last = addr;
      this.history.push(rec);
      if (this.history.length > MAX_HISTORY) this.history.shift();
      if (changed) for (const l of [...this.leaderListeners]) l(addr);
    });
    this.follower.on('error', () => undefined);
    this.follower.start();
  }

  /** The primary's address from the leader key, as last seen. */
  get leader(): string | undefined {
    return this.follower.leader;
  }

  /** Calls `listener` when the leader key names a primary other than the last one seen; returns the unsubscribe. */
  onLeader(listener: (addr: string) => void): () => void {
    this.leaderListeners.add(listener);
    return () => this.leaderListeners.delete(listener);
  }

  /** Primaries seen since the dashboard started, oldest first. */
  failovers(): readonly FailoverRecord[] {
    return this.history;
  }

  /** Every key under {@link root}, sorted. */
  async keys(): Promise<KvEntry[]> {
    const res = await this.client.getAll().prefix(`${this.root}/`).exec();
    return res.kvs
      .map((kv) => ({
        key: kv.key.toString(),
        value: kv.value.toString(),
        ...(kv.lease && kv.lease !== '0' ? { lease: BigInt(kv.lease).toString(16) } : {}),
        modRevision: String(kv.mod_revision),
      }))
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  /** Every member with its health (a status call per member, `timeoutMs` each). */
  async members(timeoutMs = 2000): Promise<KvMember[]> {
    const list = await this.client.cluster.memberList({});
    return Promise.all(
      list.members.map(async (m) => {
        const url = m.clientURLs[0] ?? '';
        const endpoint = url.replace(/^https?:\/\//, '');
        const one = createEtcdClient({ ...this.target, endpoints: [endpoint] });
        let timer: NodeJS.Timeout | undefined;
        try {
          const st = await Promise.race([
            one.maintenance.status(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
            }),
          ]);
          return { name: m.name, endpoint, reachable: true, leader: st.leader === m.ID };
        } catch (err) {
          return { name: m.name, endpoint, reachable: false, leader: false, error: (err as Error).message };
        } finally {
          clearTimeout(timer);
          one.close();
        }
      }),
    );
  }

  /** Stops following and closes the client. */
  async close(): Promise<void> {
    await this.follower.close();
    this.client.close();
  }
}
