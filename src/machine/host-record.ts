import type { EngineOptions } from './driver.js';
import { HostLoadError } from './errors.js';

/** The `config.json` format version shoal writes (docker-machine's ConfigVersion 3). */
export const CONFIG_VERSION = 3;

/** `HostOptions.EngineOptions` of config.json. */
export interface EngineOptionsRecord {
  ArbitraryFlags: string[];
  Dns: string[] | null;
  GraphDir: string;
  Env: string[];
  Ipv6: boolean;
  InsecureRegistry: string[];
  Labels: string[];
  LogLevel: string;
  StorageDriver: string;
  SelinuxEnabled: boolean;
  TlsVerify: boolean;
  RegistryMirror: string[];
  InstallURL: string;
  /** TCP port of the engine's TLS listener (shoal addition; docker-machine kept it in the driver). */
  Port?: number;
}

/** `HostOptions.SwarmOptions` of config.json. */
export interface SwarmOptionsRecord {
  IsSwarm: boolean;
  Address: string;
  Discovery: string;
  Agent: boolean;
  Master: boolean;
  Host: string;
  Image: string;
  Strategy: string;
  Heartbeat: number;
  Overcommit: number;
  ArbitraryFlags: string[];
  ArbitraryJoinFlags: string[];
  Env: string[] | null;
  IsExperimental: boolean;
}

/** `HostOptions.AuthOptions` of config.json: where a machine's TLS files are, locally and on the host. */
export interface AuthOptionsRecord {
  CertDir: string;
  CaCertPath: string;
  CaPrivateKeyPath: string;
  CaCertRemotePath: string;
  ServerCertPath: string;
  ServerKeyPath: string;
  ClientKeyPath: string;
  ServerCertRemotePath: string;
  ServerKeyRemotePath: string;
  ClientCertPath: string;
  ServerCertSANs: string[];
  StorePath: string;
}

/** One machine's `config.json` (ConfigVersion 3). */
export interface HostRecord {
  ConfigVersion: number;
  Driver: Record<string, unknown>;
  DriverName: string;
  HostOptions: {
    Driver: string;
    Memory: number;
    Disk: number;
    EngineOptions: EngineOptionsRecord;
    SwarmOptions: SwarmOptionsRecord;
    AuthOptions: AuthOptionsRecord;
  };
  Name: string;
}

/** Default swarm options (nothing enabled; docker-machine's defaults for host, image and strategy). */
export function defaultSwarmOptions(): SwarmOptionsRecord {
  return {
    IsSwarm: false,
    Address: '',
    Discovery: '',
    Agent: false,
    Master: false,
    Host: 'tcp://0.0.0.0:3376',
    Image: 'swarm:latest',
    Strategy: 'spread',
    Heartbeat: 0,
    Overcommit: 0,
    ArbitraryFlags: [],
    ArbitraryJoinFlags: [],
    Env: null,
    IsExperimental: false,
  };
}

/** Default engine options (port 2376, TLS on). */
export function defaultEngineOptions(): EngineOptionsRecord {
  return {
    ArbitraryFlags: [],
    Dns: null,
    GraphDir: '',
    Env: [],
    Ipv6: false,
    InsecureRegistry: [],
    Labels: [],
    LogLevel: '',
    StorageDriver: '',
    SelinuxEnabled: false,
    TlsVerify: true,
    RegistryMirror: [],
    InstallURL: '',
    Port: 2376,
  };
}

/** The AuthOptions docker-machine derives from the store path and machine directory. */
export function defaultAuthOptions(storePath: string, machineDir: string): AuthOptionsRecord {
  const certDir = `${storePath}/certs`;
  return {
    CertDir: certDir,
    CaCertPath: `${certDir}/ca.pem`,
    CaPrivateKeyPath: `${certDir}/ca-key.pem`,
    CaCertRemotePath: '',
    ServerCertPath: `${machineDir}/server.pem`,
    ServerKeyPath: `${machineDir}/server-key.pem`,
    ClientKeyPath: `${certDir}/key.pem`,
    ServerCertRemotePath: '',
    ServerKeyRemotePath: '',
    ClientCertPath: `${certDir}/cert.pem`,
    ServerCertSANs: [],
    StorePath: machineDir,
  };
}

/** The driver-facing {@link EngineOptions} of a record. */
export function engineOptionsOf(rec: HostRecord): EngineOptions {
  const e = rec.HostOptions.EngineOptions;
  return {
    arbitraryFlags: e.ArbitraryFlags ?? [],
    labels: e.Labels ?? [],
    registryMirror: e.RegistryMirror ?? [],
    insecureRegistry: e.InsecureRegistry ?? [],
    storageDriver: e.StorageDriver ?? '',
    env: e.Env ?? [],
    port: e.Port ?? 2376,
  };
}

type Raw = Record<string, unknown>;
type Migration = (rec: Raw, ctx: { storePath: string; machineDir: string }) => Raw;

function obj(v: unknown): Raw {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {};
}

/**
 * Ordered migrations: `MIGRATIONS[n]` turns a version-n record into version n+1.
 * - 0 → 1: records from before HostOptions existed get default engine/swarm/auth options.
 * - 1 → 2: AuthOptions gain `ServerCertSANs` and `StorePath`; the engine port moves into EngineOptions.
 * - 2 → 3: `DriverName` is lifted to the top level (older records kept it only in `HostOptions.Driver`).
 */
const MIGRATIONS: readonly Migration[] = [
  (rec, ctx) => {
    const ho = obj(rec.HostOptions);
    const { Port: _port, ...engineDefaults } = defaultEngineOptions();
    return {
      ...rec,
      HostOptions: {
        Driver: rec.DriverName ?? ho.Driver ?? '',
        Memory: 0,
        Disk: 0,
        ...ho,
        EngineOptions: { ...engineDefaults, ...obj(ho.EngineOptions) },
        SwarmOptions: { ...defaultSwarmOptions(), ...obj(ho.SwarmOptions) },
        AuthOptions: { ...defaultAuthOptions(ctx.storePath, ctx.machineDir), ...obj(ho.AuthOptions) },
      },
    };
  },
  (rec, ctx) => {
    const ho = obj(rec.HostOptions);
    const auth = obj(ho.AuthOptions);
    const eng = obj(ho.EngineOptions);
    const drv = obj(rec.Driver);
    return {
      ...rec,
      HostOptions: {
        ...ho,
        AuthOptions: { ServerCertSANs: [], StorePath: ctx.machineDir, ...auth },
        EngineOptions: { ...eng, Port: eng.Port ?? drv.EnginePort ?? 2376 },
      },
    };
  },
  (rec) => {
    const ho = obj(rec.HostOptions);
    return { ...rec, DriverName: rec.DriverName ?? ho.Driver ?? '' };
  },
];

/**
 * Parses a `config.json` text, running every migration from its `ConfigVersion` (absent = 0) up to
 * {@link CONFIG_VERSION}. Returns the record and whether it was migrated (the caller writes `config.json.bak`).
 * Throws {@link HostLoadError} on bad JSON, a future version, or a record missing `Name`/`DriverName`.
 */
export function parseHostRecord(
  text: string,
  ctx: { name: string; storePath: string; machineDir: string },
): { record: HostRecord; migrated: boolean } {
  const file = `${ctx.machineDir}/config.json`;
  let raw: Raw;
  try {
    raw = obj(JSON.parse(text));
  } catch (err) {
    throw new HostLoadError(
      `invalid host record ${file} of "${ctx.name}": ${(err as Error).message} (repair it, or remove the host with shoal machine rm -f ${ctx.name})`,
      { cause: err },
    );
  }
  const version = typeof raw.ConfigVersion === 'number' ? raw.ConfigVersion : 0;
  if (version > CONFIG_VERSION) {
    throw new HostLoadError(
      `host record ${file} of "${ctx.name}" has ConfigVersion ${version}, newer than ${CONFIG_VERSION}`,
    );
  }
  let rec = raw;
  for (let v = version; v < CONFIG_VERSION; v++) {
    const m = MIGRATIONS[v];
    if (m) rec = m(rec, ctx);
  }
  rec.ConfigVersion = CONFIG_VERSION;
  if (typeof rec.Name !== 'string' || rec.Name === '') rec.Name = ctx.name;
  if (typeof rec.DriverName !== 'string' || rec.DriverName === '') {
    throw new HostLoadError(`host record ${file} of "${ctx.name}" names no driver`);
  }
  rec.Driver = obj(rec.Driver);
  return { record: rec as unknown as HostRecord, migrated: version < CONFIG_VERSION };
}
