import type { DriverFlagValues } from './driver.js';
import { InvalidFlagError, InvalidHostNameError } from './errors.js';
import {
  defaultEngineOptions,
  defaultSwarmOptions,
  type EngineOptionsRecord,
  type SwarmOptionsRecord,
} from './host-record.js';

/** Valid machine names (docker-machine's rule). */
export const MACHINE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;

/** Throws {@link InvalidHostNameError} unless `name` is a valid machine name. */
export function validateMachineName(name: string): void {
  if (!MACHINE_NAME_RE.test(name)) throw new InvalidHostNameError(name);
}

/** The `--swarm-*` flags of `create`, as given. */
export interface SwarmFlags {
  readonly agent?: boolean;
  readonly master?: boolean;
  readonly discovery?: string;
  readonly strategy?: string;
  readonly opts?: readonly string[];
  readonly joinOpts?: readonly string[];
  readonly host?: string;
  readonly addr?: string;
  readonly image?: string;
  readonly experimental?: boolean;
}

/** The `--engine-*` flags of `create`, as given. */
export interface EngineFlags {
  readonly opts?: readonly string[];
  readonly labels?: readonly string[];
  readonly registryMirror?: readonly string[];
  readonly insecureRegistry?: readonly string[];
  readonly storageDriver?: string;
  readonly env?: readonly string[];
}

/** Everything `create` needs. */
export interface CreateRequest {
  readonly name: string;
  readonly driver: string;
  readonly driverFlags: DriverFlagValues;
  readonly engine?: EngineFlags;
  readonly swarm?: SwarmFlags;
  readonly tlsSan?: readonly string[];
}

const STRATEGIES = ['spread', 'binpack', 'random'];

function isUrl(v: string, schemes?: readonly string[]): boolean {
  try {
    const u = new URL(v);
    return (schemes === undefined || schemes.includes(u.protocol.replace(/:$/, ''))) && u.host !== '';
  } catch {
    return false;
  }
}

/** Validates and normalises `--engine-*` flags into the record form. Throws {@link InvalidFlagError}. */
export function buildEngineOptions(f: EngineFlags = {}): EngineOptionsRecord {
  for (const m of f.registryMirror ?? []) {
    if (!isUrl(m, ['http', 'https'])) {
      throw new InvalidFlagError(`--engine-registry-mirror must be an http(s) URL, got "${m}"`);
    }
  }
  for (const e of f.env ?? []) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(e))
      throw new InvalidFlagError(`--engine-env must be KEY=VALUE, got "${e}"`);
  }
  for (const o of f.opts ?? []) {
    if (o === '' || o.startsWith('-'))
      throw new InvalidFlagError(`--engine-opt must be name[=value] without dashes, got "${o}"`);
  }
  for (const l of f.labels ?? []) {
    if (!/^[^=\s]+=/.test(l)) throw new InvalidFlagError(`--engine-label must be key=value, got "${l}"`);
  }
  return {
    ...defaultEngineOptions(),
    ArbitraryFlags: [...(f.opts ?? [])],
    Labels: [...(f.labels ?? [])],
    RegistryMirror: [...(f.registryMirror ?? [])],
    InsecureRegistry: [...(f.insecureRegistry ?? [])],
    StorageDriver: f.storageDriver ?? '',
    Env: [...(f.env ?? [])],
  };
}

/** Validates and normalises `--swarm-*` flags into the record form. Throws {@link InvalidFlagError}. */
export function buildSwarmOptions(f: SwarmFlags = {}): SwarmOptionsRecord {
  const d = defaultSwarmOptions();
  const discovery = f.discovery ?? '';
  if (discovery !== '' && !/^[A-Za-z][A-Za-z0-9+.-]*:\/\/.+/.test(discovery)) {
    throw new InvalidFlagError(`--swarm-discovery must look like scheme://..., got "${discovery}"`);
  }
  const strategy = f.strategy ?? d.Strategy;
  if (!STRATEGIES.includes(strategy)) {
    throw new InvalidFlagError(`--swarm-strategy must be one of ${STRATEGIES.join(', ')}, got "${strategy}"`);
  }
  const host = f.host ?? d.Host;
  if (!/^tcp:\/\/[^:/]+:\d+$/.test(host))
    throw new InvalidFlagError(`--swarm-host must be tcp://HOST:PORT, got "${host}"`);
  const isSwarm = Boolean(f.agent || f.master);
  if (isSwarm && discovery === '') {
    throw new InvalidFlagError('--swarm and --swarm-master need --swarm-discovery');
  }
  let heartbeat = 0;
  for (const o of f.opts ?? []) {
    const m = /^heartbeat=(\d+)s?$/.exec(o);
    if (m) heartbeat = Number(m[1]);
  }
  return {
    ...d,
    IsSwarm: isSwarm,
    Agent: Boolean(f.agent),
    Master: Boolean(f.master),
    Discovery: discovery,
    Strategy: strategy,
    Host: host,
    Address: f.addr ?? '',
    Image: f.image || d.Image,
    Heartbeat: heartbeat,
    ArbitraryFlags: [...(f.opts ?? [])],
    ArbitraryJoinFlags: [...(f.joinOpts ?? [])],
    IsExperimental: Boolean(f.experimental),
  };
}
