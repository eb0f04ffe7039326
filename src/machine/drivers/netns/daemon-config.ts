/**
 * Turns `create`'s engine options into a dockerd configuration: one `daemon.json` (identity, paths, TLS, labels,
 * registries, storage driver, cluster store) plus the remaining `--engine-opt`s as flags. Options that dockerd also
 * accepts in daemon.json go there, because dockerd refuses a directive given both as a flag and in the file.
 */
import type { AuthPaths, EngineOptions } from '../../driver.js';
import { InvalidFlagError } from '../../errors.js';
import type { MachineLayout } from './layout.js';

/** Engine options whose values are appended to a daemon.json list. */
const LIST_KEYS: Readonly<Record<string, string>> = {
  label: 'labels',
  'registry-mirror': 'registry-mirrors',
  'insecure-registry': 'insecure-registries',
  dns: 'dns',
  'dns-search': 'dns-search',
};
/** Engine options that replace a daemon.json value. */
const SCALAR_KEYS = new Set([
  'cluster-store',
  'cluster-advertise',
  'storage-driver',
  'bip',
  'log-level',
  'mtu',
]);
/** Settings the driver owns: changing them would break the machine's isolation. */
const RESERVED = new Set([
  'host',
  'H',
  'data-root',
  'graph',
  'exec-root',
  'pidfile',
  'p',
  'config-file',
  'tlsverify',
  'tlscacert',
  'tlscert',
  'tlskey',
  'tls',
]);

/** Where the engine runs and how to reach it. */
export interface DaemonSite {
  readonly layout: MachineLayout;
  /** docker0's address, distinct per machine. */
  readonly bip: string;
  readonly driverName: string;
}

/** The result of {@link buildDaemonConfig}. */
export interface DaemonConfig {
  readonly daemonJson: Record<string, unknown>;
  /** Flags after `--config-file`. */
  readonly flags: string[];
  /** The daemon's environment. */
  readonly env: Record<string, string>;
}

/** The environment every engine gets before `--engine-env` values. */
export const BASE_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
};

function splitOpt(opt: string): [string, string | undefined] {
  const trimmed = opt.replace(/^-+/, '');
  const eq = trimmed.indexOf('=');
  return eq < 0 ? [trimmed, undefined] : [trimmed.slice(0, eq), trimmed.slice(eq + 1)];
}

/** Builds the daemon.json, flags and environment of a netns engine. Throws `InvalidFlagError` on bad options. */
export function buildDaemonConfig(engine: EngineOptions, auth: AuthPaths, site: DaemonSite): DaemonConfig {
  const { layout } = site;
  const json: Record<string, unknown> = {
    'deprecated-key-path': layout.keyJson,
    'data-root': layout.dataRoot,
    'exec-root': layout.execRoot,
    pidfile: layout.pidFile,
    hosts: [`tcp://0.0.0.0:${engine.port}`, `unix://${layout.socket}`],
    tls: true,
    tlsverify: true,
    tlscacert: auth.caCert,
    tlscert: auth.serverCert,
    tlskey: auth.serverKey,
    bip: site.bip,
    labels: [...engine.labels, `provider=${site.driverName}`],
  };
  if (engine.registryMirror.length) json['registry-mirrors'] = [...engine.registryMirror];
  if (engine.insecureRegistry.length) json['insecure-registries'] = [...engine.insecureRegistry];
  if (engine.storageDriver) json['storage-driver'] = engine.storageDriver;

  const flags: string[] = [];
  for (const opt of engine.arbitraryFlags) {
    const [key, value] = splitOpt(opt);
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(key)) {
      throw new InvalidFlagError(`Invalid --engine-opt "${opt}": expected NAME or NAME=VALUE`);
    }
    if (RESERVED.has(key)) {
      throw new InvalidFlagError(`Invalid --engine-opt "${opt}": the netns driver sets --${key} itself`);
    }
    const listKey = LIST_KEYS[key];
    if (listKey && value !== undefined) {
      json[listKey] = [...((json[listKey] as string[] | undefined) ?? []), value];
    } else if (SCALAR_KEYS.has(key) && value !== undefined) {
      json[key] = value;
    } else {
      flags.push(value === undefined ? `--${key}` : `--${key}=${value}`);
    }
  }

  const env: Record<string, string> = { ...BASE_ENV };
  for (const kv of engine.env) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new InvalidFlagError(`Invalid --engine-env "${kv}": expected KEY=VALUE`);
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return { daemonJson: json, flags, env };
}
