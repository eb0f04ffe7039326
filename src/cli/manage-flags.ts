import { parseMetricsAddr } from '../metrics/index.js';
import { parseDuration } from '../util/duration.js';
import { InvalidArgumentError } from '../util/errors.js';

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

/** Long flags of `shoal manage` that take a value. */
export const MANAGE_VALUE_FLAGS: ReadonlySet<string> = new Set([
  'host',
  'advertise',
  'addr',
  'strategy',
  'filter',
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
  'cluster-opt',
  'discovery-opt',
  'container-name-refresh-filter',
  'log-level',
]);

/**
 * Rewrites Go-flag spellings that commander does not read, so scripts written for `swarm manage` work unchanged:
 * single-dash long flags (`-tlsverify`, `-host=x`) become `--tlsverify`, `--host=x`; `-H=x` becomes `-H x`; boolean flags given a value
 * (`--tls=true`, `--tlsverify=false`) become the bare flag or disappear. Arguments after `--` are untouched.
 */
export function normalizeGoArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let rest = false;
  for (const arg of argv) {
    if (rest || arg === '--') {
      rest = true;
      out.push(arg);
      continue;
    }
    let a = arg;
    const shortEq = /^-([Hflc])=(.*)$/.exec(a);
    if (shortEq) {
      out.push(`-${shortEq[1]}`, shortEq[2] as string);
      continue;
    }
    const single = /^-([a-z][a-z0-9-]+)(=.*)?$/.exec(a);
    if (
      single &&
      (MANAGE_BOOL_FLAGS.has(single[1] as string) || MANAGE_VALUE_FLAGS.has(single[1] as string))
    ) {
      a = `-${a}`;
    }
    const boolWithValue = /^--([a-z][a-z0-9-]*)=(.*)$/.exec(a);
    if (boolWithValue && MANAGE_BOOL_FLAGS.has(boolWithValue[1] as string)) {
      const v = (boolWithValue[2] as string).toLowerCase();
      if (v === 'true' || v === '1' || v === 't') out.push(`--${boolWithValue[1]}`);
      else if (v !== 'false' && v !== '0' && v !== 'f') {
        throw new InvalidArgumentError(
          `invalid boolean value "${boolWithValue[2]}" for --${boolWithValue[1]}`,
        );
      }
      continue;
    }
    out.push(a);
  }
  return out;
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

function duration(flag: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new InvalidArgumentError(
      `invalid value "${text}" for flag --${flag}: expected a duration like 30s`,
      {
        cause: err,
      },
    );
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
    if (eq <= 0) throw new InvalidArgumentError(`invalid --${flag} "${item}": expected key=value`);
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
  if (replicationTtlMs <= 0)
    throw new InvalidArgumentError('--replication-ttl should be a positive duration');
  // commander stores `--advertise, --addr` under `addr`
  const advertiseText = o.advertise ?? (o as { addr?: string }).addr ?? env.SWARM_ADVERTISE;
  const advertise = advertiseText ? validateAdvertise(advertiseText) : undefined;
  if (o.replication) {
    if (!advertise)
      throw new InvalidArgumentError('--advertise address must be provided when using --replication');
    const scheme = /^([a-z0-9+.-]+):\/\//i.exec(discovery)?.[1]?.toLowerCase();
    if (!scheme || !KV_SCHEMES.includes(scheme)) {
      throw new InvalidArgumentError(
        `--replication needs a KV store discovery (etcd://...); "${discovery}" cannot hold a leader lock`,
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
    throw new InvalidArgumentError('--tlscacert, --tlscert and --tlskey require --tls or --tlsverify');
  }

  const refreshMinMs = duration('engine-refresh-min-interval', o.engineRefreshMinInterval);
  if (refreshMinMs <= 0)
    throw new InvalidArgumentError('min refresh interval cannot be less than or equal to 0');
  const refreshMaxMs = duration('engine-refresh-max-interval', o.engineRefreshMaxInterval);
  if (refreshMaxMs < refreshMinMs)
    throw new InvalidArgumentError('max refresh interval cannot be less than min refresh interval');
  const failureRetry = integer('engine-failure-retry', o.engineFailureRetry);
  if (failureRetry <= 0) throw new InvalidArgumentError('invalid failure retry count');
  if (integer('engine-refresh-retry', o.engineRefreshRetry) !== 3) {
    throw new InvalidArgumentError('--engine-refresh-retry is deprecated; use --engine-failure-retry');
  }
  const heartbeatMs = duration('heartbeat', o.heartbeat);
  if (heartbeatMs < 1000) throw new InvalidArgumentError('--heartbeat should be at least one second');
  const rescheduleGraceMs = duration('reschedule-grace', o.rescheduleGrace ?? '3s');
  if (rescheduleGraceMs < 0) throw new InvalidArgumentError('--reschedule-grace should not be negative');

  if (o.clusterDriver !== 'swarm') {
    throw new InvalidArgumentError(`cluster driver not supported: ${o.clusterDriver} (only "swarm")`);
  }
  const clusterOpts = keyValues('cluster-opt', o.clusterOpt ?? []);
  let overcommit = 0.05;
  let createRetry = 0;
  for (const [k, v] of Object.entries(clusterOpts)) {
    if (k === 'swarm.overcommit') {
      overcommit = Number(v);
      if (!Number.isFinite(overcommit) || overcommit <= -1) {
        throw new InvalidArgumentError(`invalid swarm.overcommit "${v}": must be a number greater than -1`);
      }
    } else if (k === 'swarm.createretry') {
      createRetry = integer('cluster-opt swarm.createretry', v);
      if (createRetry < 0) throw new InvalidArgumentError('swarm.createretry can not be negative');
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
