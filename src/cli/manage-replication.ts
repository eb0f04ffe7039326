import type { Logger } from 'pino';
import { createReplicaHandler } from '../api/replica-proxy.js';
import type { ApiHandler, ServerTlsOptions } from '../api/server.js';
import { Replication } from '../cluster/replication.js';
import { createLeaderElection, type LeaderFence } from '../discovery/election/index.js';
import type { EtcdCallObserver } from '../discovery/index.js';
import type { ManagerMetrics } from '../metrics/index.js';

/** What `shoal manage` needs from `--replication`: the role for `/info`, the handler wrapper, start and stop. */
export interface ManagerReplication {
  role(): 'primary' | 'replica';
  primary(): string | undefined;
  /** The guard of primary-only etcd writes; undefined unless primary. */
  fence(): LeaderFence | undefined;
  /** Wraps the manager's handler with the replica forwarder. */
  wrap(handler: ApiHandler): ApiHandler;
  /** Starts campaigning and following (after the listeners are bound). */
  start(): void;
  /** Resigns and stops (the key is released at once, so a replica takes over without waiting for the TTL). */
  close(): Promise<void>;
}

/**
 * Builds `--replication` for a manager: leader election on the discovery URL (etcd only) with the lease TTL, the
 * manager's `--advertise` address as the leader value, and a forwarder that uses the manager's own certificate as
 * client certificate towards the primary (like engines, other managers require client certificates).
 * Logs Swarm's lines: "Leader Election: Cluster leadership acquired" / "Cluster leadership lost" /
 * "New leader elected: <addr>".
 */
export function createManagerReplication(
  cfg: {
    readonly discovery: string;
    readonly advertise: string;
    readonly replicationTtlMs: number;
    readonly discoveryOpts: Readonly<Record<string, string>>;
  },
  tls: ServerTlsOptions | undefined,
  logger: Logger,
  observe: { metrics?: ManagerMetrics; etcdObserver?: EtcdCallObserver } = {},
): ManagerReplication {
  const election = createLeaderElection(cfg.discovery, {
    ttlMs: cfg.replicationTtlMs,
    options: cfg.discoveryOpts,
    ...(observe.etcdObserver ? { etcdObserver: observe.etcdObserver } : {}),
  });
  const rep = new Replication(election, cfg.advertise);
  const metrics = observe.metrics;
  if (metrics) {
    // A failover runs from the leader key's loss to the next leader this manager sees (itself or another).
    let vacantAt: number | undefined;
    let last: string | undefined;
    rep.on('vacant', () => {
      vacantAt ??= performance.now();
    });
    rep.on('leader', (addr) => {
      if (vacantAt !== undefined) metrics.failoverDuration.observe((performance.now() - vacantAt) / 1000);
      vacantAt = undefined;
      if (addr !== last) metrics.leaderChanges.inc();
      last = addr;
    });
  }
  rep.on('elected', () => logger.info('Leader Election: Cluster leadership acquired'));
  rep.on('lost', () => logger.info('Leader Election: Cluster leadership lost'));
  rep.on('leader', (addr) => {
    if (addr !== cfg.advertise) logger.info(`New leader elected: ${addr}`);
  });
  rep.on('error', (err) => logger.error({ err: err.message }, 'Leader Election error'));
  return {
    role: () => rep.role(),
    primary: () => rep.primary(),
    fence: () => rep.fence(),
    wrap: (handler) => {
      const wrapped = createReplicaHandler(handler, rep, {
        waitMs: Math.max(5000, 2 * cfg.replicationTtlMs),
        ...(tls?.ca ? { tls: { ca: tls.ca, cert: tls.cert, key: tls.key } } : {}),
      });
      // streams of the cluster's view follow the primary: end those of a former one so clients come back
      const changed = (): void => {
        const n = wrapped.primaryChanged();
        if (n > 0) logger.info(`Ended ${n} event stream(s) of the former primary`);
      };
      rep.on('elected', changed);
      rep.on('lost', changed);
      rep.on('leader', changed);
      return wrapped;
    },
    start: () => rep.start(),
    close: () => rep.close(),
  };
}
