import { parseMetricsAddr } from '../metrics/index.js';
import { parseDuration } from '../util/duration.js';
import { InvalidArgumentError } from '../util/errors.js';
import { normalizeGoArgv as normalizeGoFlags } from './go-flags.js';

/** Long flags of `shoal manage` that take no value (Go-style `--flag=true|false` is normalised for these). */
export const MANAGE_BOOL_FLAGS: ReadonlySet<string> = new Set([
  'tls',
  'tlsverify',
  'replication',
  'api-enable-cors',
  'cors',
  'debug',
  'experimental',
  'refresh-on-node-filter',
  'help',
]);

/** Flags of `shoal manage` that take a value. */
export const MANAGE_VALUE_FLAGS: ReadonlySet<string> = new Set([
  'host',
  'H',
  'advertise',
  'addr',
  'strategy',
  'filter',
  'f',
  'replication-ttl',
  'tlscacert',
  'tlscert',
  'tlskey',
  'engine-refresh-min-interval',
  'engine-refresh-max-interval',
  'engine-failure-retry',
  'engine-refresh-retry',
  'heartbeat',
  'reschedule-grace',
  'cluster-driver',
  'c',
  'cluster-opt',
  'discovery-opt',
  'container-name-refresh-filter',
  'log-level',
  'l',
]);

/**
 * Rewrites the Go-flag spellings of `swarm manage` scripts (`-tlsverify`, `-host=x`, `-H=x`, `--tls=true`) into
 * ones commander reads; see {@link normalizeGoFlags}.
 */
export function normalizeGoArgv(argv: readonly string[]): string[] {
  return normalizeGoFlags(argv, { bools: MANAGE_BOOL_FLAGS, values: MANAGE_VALUE_FLAGS });
}

/** Raw option values as commander collects them. */
export interface RawManageOptions {
  host?: string[];
  advertise?: string;
  strategy: string;
  filter?: string[];
  replication?: boolean;
  replicationTtl: string;
  tls?: boolean;
  tlsverify?: boolean;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
  engineRefreshMinInterval: string;
  engineRefreshMaxInterval: string;
  engineFailureRetry: string;
  engineRefreshRetry: string;
  heartbeat: string;
  rescheduleGrace?: string;
  apiEnableCors?: boolean;
  clusterDriver: string;
  clusterOpt?: string[];
  discoveryOpt?: string[];
  experimental?: boolean;
  debug?: boolean;
  logLevel?: string;
  metricsAddr?: string;
}

function checkedMetricsAddr(text: string | undefined): string | undefined {
  if (text !== undefined) parseMetricsAddr(text);
  return text;
}

/** Validated configuration of `shoal manage`. Durations in ms. */
export interface ManageConfig {
  readonly discovery: string;
  readonly hosts: readonly string[];
  readonly advertise: string | undefined;
  readonly strategy: string;
  readonly filters: readonly string[] | undefined;
  readonly replication: boolean;
  readonly replicationTtlMs: number;
  readonly tls:
    | { readonly verify: boolean; readonly ca?: string; readonly cert: string; readonly key: string }
    | undefined;
  readonly refreshMinMs: number;
  readonly refreshMaxMs: number;
  readonly failureRetry: number;
  readonly heartbeatMs: number;
  /** `--reschedule-grace`: how long a node stays unhealthy or absent before its containers are moved. */
  readonly rescheduleGraceMs: number;
  readonly cors: boolean;
  readonly overcommit: number;
  readonly createRetry: number;
  readonly discoveryOpts: Readonly<Record<string, string>>;
  readonly experimental: boolean;
  readonly debug: boolean;
  readonly logLevel: string;
  /** `--metrics-addr HOST:PORT`: a plain-HTTP listener for `GET /metrics` (the API port serves it too). */
  readonly metricsAddr: string | undefined;
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal', 'panic'];
const KV_SCHEMES = ['etcd', 'consul', 'zk'];

/** Flags Swarm parses itself, failing with `invalid --<flag>: ...`; the rest fail in Go's flag parser. */
const SWARM_PARSED = new Set(['replication-ttl', 'heartbeat']);

function duration(flag: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    const msg = SWARM_PARSED.has(flag)
      ? `invalid --${flag}: time: invalid duration "${text}"`
      : `invalid value "${text}" for flag -${flag}: time: invalid duration "${text}"`;
    throw new InvalidArgumentError(msg, { cause: err });
  }
}

function integer(flag: string, text: string): number {
  if (!/^-?\d+$/.test(text.trim()))
    throw new InvalidArgumentError(`invalid value "${text}" for flag --${flag}: expected an integer`);
  return Number(text);
}

function keyValues(flag: string, items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`--${flag} must contain key=value strings (got "${item}")`);
    out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return out;
}

function validateAdvertise(addr: string): string {
  const m = /^(?:\[[^\]]+\]|[^:\s]+):(\d+)$/.exec(addr);
  const port = m ? Number(m[1]) : 0;
  if (!m || port < 1 || port > 65535) {
    throw new InvalidArgumentError(
      `--advertise should be of the form ip:port or hostname:port (got "${addr}")`,
    );
  }
  return addr;
}

/**
 * Validates `shoal manage` flags with classic Swarm's rules and defaults (docs/behaviour/cli.md#manage);
 * environment fallbacks: `SWARM_DISCOVERY`, `SWARM_HOST`, `SWARM_ADVERTISE`, `DEBUG`.
 * @throws InvalidArgumentError with a one-line message naming the flag.
 */
export function parseManageConfig(
  discoveryArg: string | undefined,
  o: RawManageOptions,
  env: NodeJS.ProcessEnv = process.env,
): ManageConfig {
  const discovery = discoveryArg ?? env.SWARM_DISCOVERY;
  if (!discovery)
    throw new InvalidArgumentError("discovery required to manage a cluster. See 'shoal manage --help'.");
  const hosts = o.host?.length ? o.host : [env.SWARM_HOST || 'tcp://127.0.0.1:2375'];

  const strategy = o.strategy === 'binpacking' ? 'binpack' : o.strategy;

  const replicationTtlMs = duration('replication-ttl', o.replicationTtl);
  if (replicationTtlMs <= 0) throw new InvalidArgumentError('--replication-ttl should be a positive number');
  // commander stores `--advertise, --addr` under `addr`
  const advertiseText = o.advertise ?? (o as { addr?: string }).addr ?? env.SWARM_ADVERTISE;
  const advertise = advertiseText ? validateAdvertise(advertiseText) : undefined;
  if (o.replication) {
    if (!advertise)
      throw new InvalidArgumentError(
        '--advertise address must be provided when using --leader-election (shoal: --replication)',
      );
    const scheme = /^([a-z0-9+.-]+):\/\//i.exec(discovery)?.[1]?.toLowerCase();
    if (!scheme || !KV_SCHEMES.includes(scheme)) {
      throw new InvalidArgumentError(
        `Leader election is only supported with consul, etcd and zookeeper discovery. ("${discovery}" cannot hold a leader lock; shoal serves etcd://)`,
      );
    }
  }

  let tls: ManageConfig['tls'];
  const anyTlsFile = o.tlscacert || o.tlscert || o.tlskey;
  if (o.tls || o.tlsverify) {
    if (!o.tlscert || !o.tlskey)
      throw new InvalidArgumentError('--tlscert and --tlskey must be provided when using --tls');
    if (o.tlsverify && !o.tlscacert)
      throw new InvalidArgumentError('--tlscacert must be provided when using --tlsverify');
    tls = {
      verify: Boolean(o.tlsverify),
      cert: o.tlscert,
      key: o.tlskey,
      ...(o.tlscacert ? { ca: o.tlscacert } : {}),
    };
  } else if (anyTlsFile) {
    throw new InvalidArgumentError(
      '--tlscert, --tlskey and --tlscacert require the use of either --tls or --tlsverify',
    );
  }

  const refreshMinMs = duration('engine-refresh-min-interval', o.engineRefreshMinInterval);
  if (refreshMinMs <= 0) throw new InvalidArgumentError('min refresh interval should be a positive number');
  const refreshMaxMs = duration('engine-refresh-max-interval', o.engineRefreshMaxInterval);
  if (refreshMaxMs < refreshMinMs)
    throw new InvalidArgumentError('max refresh interval cannot be less than min refresh interval');
  const failureRetry = integer('engine-failure-retry', o.engineFailureRetry);
  if (failureRetry <= 0) throw new InvalidArgumentError('invalid failure retry count');
  if (integer('engine-refresh-retry', o.engineRefreshRetry) !== 3) {
    throw new InvalidArgumentError('--engine-refresh-retry is deprecated. Use --engine-failure-retry');
  }
  const heartbeatMs = duration('heartbeat', o.heartbeat);
  if (heartbeatMs < 1000) throw new InvalidArgumentError('--heartbeat should be at least one second');
  const rescheduleGraceMs = duration('reschedule-grace', o.rescheduleGrace ?? '3s');
  if (rescheduleGraceMs < 0) throw new InvalidArgumentError('--reschedule-grace should not be negative');

  if (o.clusterDriver !== 'swarm') {
    throw new InvalidArgumentError(
      `unsupported cluster "${o.clusterDriver}" (shoal has the "swarm" driver only)`,
    );
  }
  const clusterOpts = keyValues('cluster-opt', o.clusterOpt ?? []);
  let overcommit = 0.05;
  let createRetry = 0;
  for (const [k, v] of Object.entries(clusterOpts)) {
    if (k === 'swarm.overcommit') {
      overcommit = Number(v);
      if (!Number.isFinite(overcommit) || overcommit <= -1) {
        throw new InvalidArgumentError(
          `swarm.overcommit should be larger than -1, ${Number.isFinite(overcommit) ? overcommit.toFixed(6) : v} is invalid`,
        );
      }
    } else if (k === 'swarm.createretry') {
      createRetry = integer('cluster-opt swarm.createretry', v);
      if (createRetry < 0)
        throw new InvalidArgumentError(`swarm.createretry can not be negative, ${createRetry} is invalid`);
    } else {
      throw new InvalidArgumentError(
        `unsupported cluster option "${k}" (valid: swarm.overcommit, swarm.createretry)`,
      );
    }
  }

  const debug = Boolean(o.debug) || Boolean(env.DEBUG && env.DEBUG !== '0' && env.DEBUG !== 'false');
  const logLevel = o.logLevel ?? (debug ? 'debug' : 'info');
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new InvalidArgumentError(`not a valid log level: "${logLevel}" (valid: ${LOG_LEVELS.join(', ')})`);
  }

  return {
    discovery,
    hosts,
    advertise,
    strategy,
    filters: o.filter?.length ? o.filter : undefined,
    replication: Boolean(o.replication),
    replicationTtlMs,
    tls,
    refreshMinMs,
    refreshMaxMs,
    failureRetry,
    heartbeatMs,
    rescheduleGraceMs,
    cors: Boolean(o.apiEnableCors),
    overcommit,
    createRetry,
    discoveryOpts: keyValues('discovery-opt', o.discoveryOpt ?? []),
    experimental: Boolean(o.experimental),
    debug,
    logLevel,
    metricsAddr: checkedMetricsAddr(o.metricsAddr),
  };
}
