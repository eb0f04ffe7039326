import type { Command } from 'commander';
import {
  collect,
  createDiscovery,
  parseAdvertise,
  parseDelay,
  parseDiscoveryOpts,
  parseHeartbeat,
  parseTtl,
  resolveDiscoveryUrl,
} from '../discovery/index.js';
import { AgentMetrics, EtcdMetrics, MetricsRegistry, startMetricsServer } from '../metrics/index.js';
import { type Clock, systemClock } from '../util/clock.js';
import { formatDuration } from '../util/duration.js';
import { defaultRng, type Rng } from '../util/rng.js';
import { SWARM_LOG_LEVELS, swarmLogLevel, withGlobalFlags } from './go-flags.js';
import { runAction } from './run-action.js';

/** Parsed and validated `shoal join` settings. */
export interface JoinSettings {
  discovery: string;
  advertise: string;
  heartbeatMs: number;
  ttlMs: number;
  delayMs: number;
  options: Record<string, string>;
  /** Lowest level logged (Swarm's `-l/--log-level`, `--debug`). */
  logLevel?: string;
}

interface JoinFlags {
  debug?: boolean;
  logLevel?: string;
  experimental?: boolean;
  advertise?: string;
  addr?: string;
  heartbeat: string;
  ttl: string;
  delay: string;
  discoveryOpt?: string[];
  metricsAddr?: string;
}

/**
 * Validates `shoal join` flags exactly as classic Swarm did (advertise host:port, heartbeat ≥ 1s, ttl > heartbeat,
 * delay ≥ 0, discovery from the argument or `$SWARM_DISCOVERY`).
 * @throws InvalidDiscoveryError with the one-line message the CLI prints.
 */
export function parseJoinFlags(arg: string | undefined, flags: JoinFlags, env = process.env): JoinSettings {
  const discovery = resolveDiscoveryUrl(arg, 'join', env);
  const advertise = parseAdvertise(flags.advertise ?? flags.addr, env);
  const heartbeatMs = parseHeartbeat(flags.heartbeat);
  const ttlMs = parseTtl(flags.ttl, heartbeatMs);
  const delayMs = parseDelay(flags.delay);
  const options = parseDiscoveryOpts(flags.discoveryOpt ?? []);
  const logLevel = swarmLogLevel(flags, env);
  return { discovery, advertise, heartbeatMs, ttlMs, delayMs, options, logLevel };
}

const LEVELS = SWARM_LOG_LEVELS;

type Log = (level: string, msg: string, fields?: Record<string, string>) => void;

/** A logrus-style text logger to stdout that drops lines below `minLevel`. */
function textLog(minLevel: string): Log {
  const threshold = LEVELS.indexOf(minLevel);
  return (level, msg, fields = {}) => {
    if (LEVELS.indexOf(level) < threshold) return;
    const extra = Object.entries(fields)
      .map(([k, v]) => ` ${k}=${JSON.stringify(v)}`)
      .join('');
    process.stdout.write(
      `time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(msg)}${extra}\n`,
    );
  };
}

/**
 * The agent loop: after a random delay in [0, delay), registers `advertise` every heartbeat until `signal` aborts.
 * Register errors are logged, never fatal. With `registry`, heartbeats and etcd calls are counted there.
 */
export async function runJoin(
  s: JoinSettings,
  signal: AbortSignal,
  deps: { clock?: Clock; rng?: Rng; registry?: MetricsRegistry } = {},
): Promise<void> {
  const clock = deps.clock ?? systemClock;
  const rng = deps.rng ?? defaultRng;
  const metrics = deps.registry ? new AgentMetrics(deps.registry) : undefined;
  const log = textLog(s.logLevel ?? 'info');
  const discovery = createDiscovery(s.discovery, {
    heartbeatMs: s.heartbeatMs,
    ttlMs: s.ttlMs,
    options: s.options,
    ...(deps.registry ? { etcdObserver: new EtcdMetrics(deps.registry).observer('discovery') } : {}),
  });
  try {
    if (s.delayMs > 0) await clock.sleep(Math.floor(rng() * s.delayMs), signal).catch(() => undefined);
    while (!signal.aborted) {
      log('info', `Registering on the discovery service every ${formatDuration(s.heartbeatMs)}...`, {
        addr: s.advertise,
        discovery: s.discovery,
      });
      metrics?.heartbeats.inc();
      try {
        await discovery.register(s.advertise);
      } catch (err) {
        metrics?.heartbeatFailures.inc();
        log('error', (err as Error).message);
      }
      await clock.sleep(s.heartbeatMs, signal).catch(() => undefined);
    }
  } finally {
    await discovery.close();
  }
}

/** `shoal join [flags] <discovery>`: the agent that keeps an engine's address alive in discovery. */
export function joinCommand(program: Command): void {
  withGlobalFlags(program.command('join'))
    .alias('j')
    .description('Join a cluster: register an engine address in discovery every heartbeat')
    .argument('[discovery]', 'discovery URL (etcd://, shoal://, ...); default $SWARM_DISCOVERY')
    .option('--advertise <host:port>', 'address of the engine to register (env SWARM_ADVERTISE)')
    .option('--addr <host:port>', 'alias of --advertise')
    .option('--heartbeat <duration>', 'period between registrations', '60s')
    .option('--ttl <duration>', 'expiry of a registration', '180s')
    .option('--delay <duration>', 'random delay before the first registration, in [0, delay)', '0s')
    .option(
      '--discovery-opt <key=value>',
      'discovery option (kv.path, kv.cacertfile, ...), repeatable',
      collect,
    )
    .option('--metrics-addr <host:port>', 'serve Prometheus metrics (GET /metrics) over plain HTTP here')
    .action(
      runAction(async (arg: string | undefined, flags: JoinFlags) => {
        const settings = parseJoinFlags(arg, flags);
        const registry = new MetricsRegistry();
        const metricsServer = flags.metricsAddr
          ? await startMetricsServer(registry, flags.metricsAddr)
          : undefined;
        if (metricsServer) {
          textLog(settings.logLevel ?? 'info')('info', 'Serving metrics over plain HTTP', {
            addr: metricsServer.address,
          });
        }
        const stop = new AbortController();
        const onSignal = (): void => stop.abort();
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
        try {
          await runJoin(settings, stop.signal, { registry });
        } finally {
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          await metricsServer?.close();
        }
      }),
    );
}
