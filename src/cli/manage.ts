import os from 'node:os';
import v8 from 'node:v8';
import { Command } from 'commander';
import pino, { type Logger } from 'pino';
import { ClusterAdapter } from '../api/adapter.js';
import type { ApiDeps, ManagerInfo } from '../api/context.js';
import { ExecLocations } from '../api/exec-locations.js';
import { instrumentApi } from '../api/metrics-handler.js';
import { addDiscoveryRoutes } from '../api/routes/discovery.js';
import { ApiServer, createApiHandler, parseListenHost, type ServerTlsOptions } from '../api/server.js';
import {
  Cluster,
  type ClusterStateStore,
  EtcdStateStore,
  MemoryStateStore,
  Rescheduler,
} from '../cluster/index.js';
import {
  createDiscovery,
  createEtcdClient,
  DEFAULT_TTL_MS,
  type Discovery,
  MembershipRegistry,
  parseEtcdTarget,
  splitDiscoveryUrl,
} from '../discovery/index.js';
import type { EngineTlsOptions } from '../engine/index.js';
import { EtcdMetrics, ManagerMetrics, MetricsRegistry, startMetricsServer } from '../metrics/index.js';
import { Scheduler } from '../scheduler/index.js';
import { asError } from '../util/errors.js';
import {
  type ManageConfig,
  normalizeGoArgv,
  parseManageConfig,
  type RawManageOptions,
} from './manage-flags.js';
import { createManagerReplication, type ManagerReplication } from './manage-replication.js';
import { loadManageTls } from './manage-tls.js';
import { runAction } from './run-action.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The `manage` options, spelled and defaulted as `swarm manage` (docs/behaviour/cli.md#manage). */
export function buildManageOptions(cmd: Command): Command {
  return cmd
    .argument(
      '[discovery]',
      'discovery URL (nodes://, file://, etcd://, shoal://, or a bare host list); env SWARM_DISCOVERY',
    )
    .option(
      '-H, --host <addr>',
      'ip/socket to listen on, repeatable (default tcp://127.0.0.1:2375; env SWARM_HOST)',
      collect,
    )
    .option(
      '--advertise, --addr <addr>',
      'address of this manager for replication (host:port); env SWARM_ADVERTISE',
    )
    .option('--strategy <name>', 'placement strategy: spread, binpack, random', 'spread')
    .option('-f, --filter <name>', 'filter to use, repeatable (default: all)', collect)
    .option('--replication', 'enable primary/replica election (KV discovery only)')
    .option('--replication-ttl <duration>', 'leader lock TTL', '20s')
    .option('--tls', 'use TLS; implied by --tlsverify')
    .option('--tlsverify', 'use TLS and verify client certificates')
    .option('--tlscacert <path>', 'trust certificates signed by this CA')
    .option('--tlscert <path>', 'path to the TLS certificate')
    .option('--tlskey <path>', 'path to the TLS key')
    .option('--engine-refresh-min-interval <duration>', 'minimum engine refresh interval', '30s')
    .option('--engine-refresh-max-interval <duration>', 'maximum engine refresh interval', '60s')
    .option('--engine-failure-retry <n>', 'failures before an engine is marked unhealthy', '3')
    .option('--engine-refresh-retry <n>', 'deprecated; use --engine-failure-retry', '3')
    .option('--heartbeat <duration>', 'discovery poll period', '60s')
    .option(
      '--reschedule-grace <duration>',
      'how long a node must stay unhealthy or absent from discovery before its containers with ' +
        '"reschedule:on-node-failure" are created again elsewhere. Their desired state (and node availability) ' +
        'is kept in etcd with etcd:// discovery, so it survives this manager; with nodes://, file:// and ' +
        "shoal:// it lives in this manager's memory only",
      '3s',
    )
    .option('--api-enable-cors, --cors', 'enable CORS headers in the Docker API')
    .option('-c, --cluster-driver <name>', 'cluster driver', 'swarm')
    .option(
      '--cluster-opt <key=value>',
      'cluster option (swarm.overcommit, swarm.createretry), repeatable',
      collect,
    )
    .option('--discovery-opt <key=value>', 'discovery option, repeatable', collect)
    .option('--refresh-on-node-filter', 'accepted for compatibility')
    .option('--container-name-refresh-filter <name>', 'accepted for compatibility')
    .option('--experimental', 'report an experimental build')
    .option('--debug', 'debug logging (env DEBUG)')
    .option('-l, --log-level <level>', 'log level: debug, info, warn, error, fatal, panic')
    .option(
      '--metrics-addr <host:port>',
      'also serve Prometheus metrics (GET /metrics) over plain HTTP here; the API port always serves them',
    );
}

/** A running manager: stop it with {@link RunningManager.close}. */
export interface RunningManager {
  readonly addresses: readonly string[];
  close(): Promise<void>;
}

async function tlsMaterial(
  cfg: ManageConfig,
): Promise<{ server?: ServerTlsOptions; engine?: EngineTlsOptions }> {
  if (!cfg.tls) return {};
  const { cert, key, ca } = await loadManageTls(cfg.tls);
  return {
    server: { cert, key, verify: cfg.tls.verify, ...(ca ? { ca } : {}) },
    // The manager's own certificate is its client certificate towards engines
    // (docs/behaviour/tls.md#manager-to-engines).
    engine: { cert, key, verify: cfg.tls.verify, ...(ca ? { ca } : {}) },
  };
}

/**
 * Old-space growth allowed between full collections, in percent of the live heap (V8's default lets it grow up to
 * 4×). The manager's cache is long-lived while syncs and `/info` make short-lived garbage: at 1,000 engines with
 * 30,000 containers this keeps peak RSS near 400 MB instead of 600-1,100 MB, for more frequent, mostly
 * concurrent, collections (see bench/scale.ts). A `--heap-growing-percent` given to node itself wins.
 */
const HEAP_GROWING_PERCENT = 50;

function boundHeapGrowth(): void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (given.some((a) => a.startsWith('--heap-growing-percent'))) return;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/**
 * Starts a manager: validate → TLS → discovery → scheduler → cluster → API (docs/behaviour/cli.md#startup).
 * Resolves once every `-H` listener (and `--metrics-addr`) is bound; discovery updates keep flowing into the
 * cluster until {@link RunningManager.close}. Metrics go to `metricsRegistry` (a fresh one when not given).
 */
export async function startManager(
  cfg: ManageConfig,
  logger: Logger,
  metricsRegistry: MetricsRegistry = new MetricsRegistry(),
): Promise<RunningManager> {
  const specs = cfg.hosts.map(parseListenHost);
  const tls = await tlsMaterial(cfg);
  const etcdMetrics = new EtcdMetrics(metricsRegistry);
  let replication: ManagerReplication | undefined;
  let cluster: Cluster | undefined;
  let rescheduler: Rescheduler | undefined;
  const metrics = new ManagerMetrics(metricsRegistry, {
    role: () => replication?.role() ?? 'primary',
    nodes: () =>
      (cluster?.engines() ?? []).map((e) => ({
        state: e.state,
        availability: rescheduler?.availabilityOf(e.id) ?? 'active',
      })),
    containerStates: () => (cluster?.containers() ?? []).map((c) => c.container.summary.State ?? ''),
    pendingReschedules: () => rescheduler?.pending().length ?? 0,
  });
  let discovery: Discovery;
  let registry: MembershipRegistry | undefined;
  if (/^shoal:\/\//.test(cfg.discovery)) {
    registry = new MembershipRegistry({
      ...(cfg.discoveryOpts['shoal.file'] ? { file: cfg.discoveryOpts['shoal.file'] } : {}),
      defaultTtlMs: DEFAULT_TTL_MS,
    });
    await registry.load();
    discovery = registry;
  } else {
    discovery = createDiscovery(cfg.discovery, {
      heartbeatMs: cfg.heartbeatMs,
      ttlMs: DEFAULT_TTL_MS,
      options: cfg.discoveryOpts,
      etcdObserver: etcdMetrics.observer('discovery'),
    });
  }
  const scheduler = new Scheduler({
    strategy: cfg.strategy,
    ...(cfg.filters ? { filters: cfg.filters } : {}),
  });
  cluster = new Cluster({
    scheduler,
    tls: tls.engine,
    overcommit: cfg.overcommit,
    createRetry: cfg.createRetry,
    refreshMinMs: cfg.refreshMinMs,
    refreshMaxMs: cfg.refreshMaxMs,
    failureRetry: cfg.failureRetry,
    logger,
    onRefreshError: () => metrics.refreshErrors.inc(),
    onDecision: (d, seconds) =>
      metrics.observeDecision(d.ok, seconds, d.ok ? [] : d.rejections.map((r) => r.filter)),
  });
  replication =
    cfg.replication && cfg.advertise
      ? createManagerReplication({ ...cfg, advertise: cfg.advertise }, tls.server, logger, {
          metrics,
          etcdObserver: etcdMetrics.observer('election'),
        })
      : undefined;
  const state = clusterState(cfg, replication);
  rescheduler = new Rescheduler({
    cluster,
    store: state.store,
    isPrimary: () => (replication ? replication.role() === 'primary' : true),
    graceMs: cfg.rescheduleGraceMs,
    logger,
    observer: {
      moveEnded: (trigger, result, seconds) => metrics.observeReschedule(trigger, result, seconds),
      duplicateRemoved: () => metrics.duplicatesRemoved.inc(),
    },
  });
  const manager: ManagerInfo = {
    experimental: cfg.experimental,
    debug: cfg.debug,
    hostname: os.hostname(),
    kernelVersion: os.release(),
    role: () => replication?.role() ?? 'primary',
    primary: () => replication?.primary(),
    eventListeners: 0,
  };
  const deps: ApiDeps = {
    cluster: new ClusterAdapter(
      cluster,
      { strategy: scheduler.strategy.name, filters: scheduler.filterNames },
      (id) => rescheduler.availabilityOf(id),
      (id) => rescheduler.recordedPlacement(id),
    ),
    nodeControl: {
      state: (id) => rescheduler.nodeState(id),
      setAvailability: (id, availability, version) => rescheduler.setAvailability(id, availability, version),
      drainStatus: (id) => rescheduler.drainStatus(id),
      pending: () => rescheduler.pending(),
      removed: (swarmId) => rescheduler.containerRemoved(swarmId),
    },
    execs: new ExecLocations(),
    manager,
  };
  const handler = createApiHandler(deps, {
    cors: cfg.cors,
    ...(registry ? { rawRoutes: (raw) => addDiscoveryRoutes(raw, registry) } : {}),
  });
  const server = new ApiServer(
    instrumentApi(replication ? replication.wrap(handler) : handler, {
      registry: metricsRegistry,
      metrics,
      routeOf: handler.routeOf,
    }),
  );
  let addresses: string[];
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  try {
    addresses = await server.listen(specs, tls.server);
    if (cfg.metricsAddr) {
      metricsServer = await startMetricsServer(metricsRegistry, cfg.metricsAddr);
      logger.info({ addr: metricsServer.address }, 'Serving metrics over plain HTTP');
    }
  } catch (err) {
    await server.close();
    await state.close();
    await cluster.close();
    await discovery.close();
    throw err;
  }
  for (const a of addresses) logger.info({ addr: a, proto: a.split(':')[0] }, 'Listening for HTTP');
  replication?.start();
  rescheduler.start();

  const stop = new AbortController();
  const watching = (async () => {
    for await (const entries of discovery.watch(stop.signal, (err) =>
      logger.error({ err: err.message }, 'Discovery error'),
    )) {
      await cluster
        .updateEntries(entries)
        .catch((err: unknown) => logger.error({ err: asError(err).message }, 'Cluster update failed'));
    }
  })();
  return {
    addresses,
    async close() {
      stop.abort();
      await rescheduler.close();
      await replication?.close().catch(() => undefined);
      await state.close();
      await metricsServer?.close();
      await server.close();
      await discovery.close();
      await watching.catch(() => undefined);
      await cluster?.close();
    },
  };
}

/**
 * Where the self-healing state lives: etcd (under the discovery prefix, writes guarded by the leader lease when
 * replicated) with `etcd://` discovery, else this manager's memory.
 */
function clusterState(
  cfg: ManageConfig,
  replication: ReturnType<typeof createManagerReplication> | undefined,
): { store: ClusterStateStore; close(): Promise<void> } {
  const { scheme, rest } = splitDiscoveryUrl(cfg.discovery);
  if (scheme !== 'etcd') {
    const store = new MemoryStateStore();
    return { store, close: () => store.close() };
  }
  const target = parseEtcdTarget(rest, cfg.discoveryOpts);
  const client = createEtcdClient(target);
  const store = new EtcdStateStore(
    client,
    target.prefix,
    replication ? () => replication.fence() : undefined,
  );
  return {
    store,
    close: async () => {
      await store.close();
      client.close();
    },
  };
}

function managerLogger(cfg: ManageConfig): Logger {
  const level = cfg.logLevel === 'panic' ? 'fatal' : cfg.logLevel;
  return pino({ level, base: { component: 'manage' } });
}

/**
 * Registers `shoal manage [flags] <discovery>`. Arguments are normalised from Go-flag spellings first
 * (`-tlsverify`, `--tls=true`), then parsed by an inner command with Swarm's flags.
 */
export function manageCommand(program: Command): void {
  program
    .command('manage')
    .alias('m')
    .description('Manage a Docker cluster: one Docker API over every discovered engine')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .passThroughOptions()
    .argument('[args...]')
    .action(
      runAction(async (args: string[]) => {
        const inner = buildManageOptions(new Command('shoal manage'))
          .exitOverride()
          .configureOutput({ writeErr: (s) => process.stderr.write(s) });
        let parsed: { discovery: string | undefined; opts: RawManageOptions } | undefined;
        inner.action((discovery: string | undefined, opts: RawManageOptions) => {
          parsed = { discovery, opts };
        });
        try {
          inner.parse(normalizeGoArgv(args), { from: 'user' });
        } catch (err) {
          const e = err as { code?: string; exitCode?: number };
          if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help') return;
          process.exitCode = e.exitCode ?? 1;
          return;
        }
        if (!parsed) return;
        const cfg = parseManageConfig(parsed.discovery, parsed.opts);
        boundHeapGrowth();
        const logger = managerLogger(cfg);
        const running = await startManager(cfg, logger, new MetricsRegistry());
        await new Promise<void>((resolve) => {
          const onSignal = () => resolve();
          process.once('SIGINT', onSignal);
          process.once('SIGTERM', onSignal);
        });
        logger.info('Shutting down');
        await running.close();
      }),
    );
}
