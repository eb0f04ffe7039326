import type { ComparatorBuilder, Etcd3, IKeyValue } from 'etcd3';
import type { LeaderFence } from '../../discovery/election/index.js';
import { NotPrimaryError } from '../errors.js';
import type {
  ClusterStateStore,
  DesiredContainer,
  Expected,
  NodeRecord,
  RemovedContainer,
  Versioned,
} from './state-store.js';

/** Where the state lives under the discovery URL's prefix. */
export const STATE_PATHS = {
  containers: 'shoal/reschedule/containers/',
  nodes: 'shoal/nodes/',
  removed: 'shoal/reschedule/removed/',
} as const;

/**
 * {@link ClusterStateStore} in etcd: one JSON value per desired container (`<prefix>/shoal/reschedule/containers/
 * <swarmID>`), per node (`<prefix>/shoal/nodes/<engineID>`) and per removed container with copies still out
 * (`<prefix>/shoal/reschedule/removed/<swarmID>`); a value's version is its mod revision. With
 * `fence` (replicated managers), every write is one transaction that also requires the leader key to still have the
 * revision this manager created it with: once the lease expired (a primary frozen past its TTL) or another manager
 * won, the write fails and nothing changes. Without `fence`, writes are made unguarded (a single manager).
 */
export class EtcdStateStore implements ClusterStateStore {
  readonly durable = true;

  constructor(
    private readonly client: Etcd3,
    /** Key prefix (the discovery URL's path, may be empty). */
    private readonly prefix: string,
    private readonly fence?: () => LeaderFence | undefined,
  ) {}

  private key(kind: keyof typeof STATE_PATHS, id = ''): string {
    return [this.prefix, `${STATE_PATHS[kind]}${id}`].filter((p) => p !== '').join('/');
  }

  async containers(): Promise<Map<string, Versioned<DesiredContainer>>> {
    return this.list<DesiredContainer>('containers');
  }

  async putContainer(rec: DesiredContainer, expected: Expected): Promise<string | undefined> {
    return this.put(this.key('containers', rec.swarmId), JSON.stringify(rec), expected);
  }

  async removeContainer(swarmId: string, expected: Expected): Promise<boolean> {
    const key = this.key('containers', swarmId);
    const txn = this.guard(key, expected);
    if (!txn) {
      await this.client.delete().key(key).exec();
      return true;
    }
    const res = await txn.then(this.client.delete().key(key)).commit();
    return this.outcome(res.succeeded);
  }

  async nodes(): Promise<Map<string, Versioned<NodeRecord>>> {
    return this.list<NodeRecord>('nodes');
  }

  async putNode(id: string, rec: NodeRecord, expected: Expected): Promise<string | undefined> {
    return this.put(this.key('nodes', id), JSON.stringify(rec), expected);
  }

  async removed(): Promise<Map<string, RemovedContainer>> {
    const out = new Map<string, RemovedContainer>();
    for (const [id, v] of await this.list<RemovedContainer>('removed')) out.set(id, v.value);
    return out;
  }

  async putRemoved(rec: RemovedContainer): Promise<void> {
    await this.put(this.key('removed', rec.swarmId), JSON.stringify(rec), undefined);
  }

  async forgetRemoved(swarmId: string): Promise<void> {
    const key = this.key('removed', swarmId);
    const txn = this.guard(key, undefined);
    if (!txn) await this.client.delete().key(key).exec();
    else this.outcome((await txn.then(this.client.delete().key(key)).commit()).succeeded);
  }

  async close(): Promise<void> {}

  private async list<T>(kind: keyof typeof STATE_PATHS): Promise<Map<string, Versioned<T>>> {
    const base = this.key(kind);
    const res = await this.client.getAll().prefix(base).exec();
    const out = new Map<string, Versioned<T>>();
    for (const kv of res.kvs as IKeyValue[]) {
      try {
        out.set(kv.key.toString().slice(base.length), {
          value: JSON.parse(kv.value.toString()) as T,
          version: String(kv.mod_revision),
        });
      } catch {
        // a value that is not JSON was not written by shoal: skip it
      }
    }
    return out;
  }

  private async put(key: string, value: string, expected: Expected): Promise<string | undefined> {
    const txn = this.guard(key, expected);
    if (!txn) return String((await this.client.put(key).value(value).exec()).header.revision);
    const res = await txn.then(this.client.put(key).value(value)).commit();
    return this.outcome(res.succeeded) ? String(res.header.revision) : undefined;
  }

  /** The transaction's conditions, or undefined for a plain unguarded write. */
  private guard(key: string, expected: Expected): ComparatorBuilder | undefined {
    let txn: ComparatorBuilder | undefined;
    const and = (k: string, target: 'Create' | 'Mod', v: string | number): void => {
      txn = txn ? txn.and(k, target, '==', v) : this.client.if(k, target, '==', v);
    };
    if (this.fence) {
      const f = this.fence();
      if (!f) throw new NotPrimaryError('cluster state write refused');
      and(f.key, 'Create', f.revision);
    }
    if (expected === null) and(key, 'Create', 0);
    else if (expected !== undefined) and(key, 'Mod', expected);
    return txn;
  }

  /** A failed guarded transaction: the fence (checked again) or the version did not match. */
  private outcome(succeeded: boolean): boolean {
    if (!succeeded && this.fence && !this.fence()) throw new NotPrimaryError('cluster state write refused');
    return succeeded;
  }
}
