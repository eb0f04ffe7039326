/**
 * The driver contract of `shoal machine`, shaped like docker-machine's: a {@link DriverConfig} describes a driver's
 * flags (prefixed `<driver>-`, env `<DRIVER>_...`), and a {@link Driver} runs one host's life cycle. Engine set-up
 * (certificates, daemon options, starting dockerd) is the {@link Provisioner}'s job, so a driver that only makes
 * "a machine" (netns namespaces, an SSH host) stays small. Operations a driver cannot do throw `NotSupportedError`.
 */
import type { ExecResult } from '../host/run.js';

/** Machine states, with docker-machine's spellings (printed by `ls` and `status`). */
export type MachineState =
  | 'Running'
  | 'Stopped'
  | 'Paused'
  | 'Saved'
  | 'Starting'
  | 'Stopping'
  | 'Error'
  | 'Timeout'
  | 'None';

/** One driver flag, e.g. `--netns-subnet` (name given without the dashes). */
export interface DriverFlag {
  readonly name: string;
  readonly description: string;
  readonly type: 'string' | 'int' | 'bool' | 'string[]';
  /** Environment variable read when the flag is absent, e.g. `GENERIC_IP_ADDRESS`. */
  readonly env?: string;
  readonly default?: string | number | boolean | readonly string[];
  readonly required?: boolean;
}

/** Flag values as parsed from the command line, keyed by flag name without dashes. */
export type DriverFlagValues = Readonly<
  Record<string, string | number | boolean | readonly string[] | undefined>
>;

/** Engine options from `create`'s `--engine-*` flags (docker-machine's EngineOptions). */
export interface EngineOptions {
  /** `--engine-opt k=v` → dockerd `--k=v`. */
  readonly arbitraryFlags: readonly string[];
  readonly labels: readonly string[];
  readonly registryMirror: readonly string[];
  readonly insecureRegistry: readonly string[];
  readonly storageDriver: string;
  /** `--engine-env K=V` → the daemon's environment. */
  readonly env: readonly string[];
  /** TCP port the engine listens on with TLS (2376). */
  readonly port: number;
}

/** Paths of the TLS material a provisioner installs (docker-machine's AuthOptions). */
export interface AuthPaths {
  /** The machine's directory, which holds copies of the CA and client cert too. */
  readonly machineDir: string;
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/** Everything a driver knows when it acts: the machine's name and its own directory in the store. */
export interface DriverContext {
  readonly machineName: string;
  /** `<store>/machines/<name>`, created before `create` runs. */
  readonly machineDir: string;
  /** `<store>`, the storage root. */
  readonly storePath: string;
  /** Receives progress lines ("Creating namespace..."); the CLI prints them with timings. */
  readonly progress: (step: string) => void;
}

/** Static description of a driver: its name and flags. */
export interface DriverConfig {
  readonly name: string;
  readonly description: string;
  readonly flags: readonly DriverFlag[];
}

/** A command run on the machine (netns: inside its namespaces; generic: over SSH). */
export type { ExecResult };

/**
 * One machine's life cycle. Instances are built from flags (`create`) or from the saved record (every later
 * command), and `toRecord()` gives the JSON stored under `Driver` in `config.json`.
 */
export interface Driver {
  readonly name: string;
  /** JSON-serialisable driver state for `config.json` (docker-machine's `Driver` object). */
  toRecord(): Record<string, unknown>;
  /** Cheap checks before anything is made (root, binaries, flag values). Throws `PreCreateCheckError` (exit 3). */
  preCreateCheck(): Promise<void>;
  /** Makes the machine (not the engine). Must leave nothing behind if it throws. */
  create(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  kill(): Promise<void>;
  /** Removes everything the driver made. Idempotent: removing a half-made or gone machine succeeds. */
  remove(): Promise<void>;
  state(): Promise<MachineState>;
  /** The machine's IP address. */
  ip(): Promise<string>;
  /** The engine URL, `tcp://IP:PORT`. Refuses (throws) unless Running. */
  url(): Promise<string>;
  /** Runs a command on the machine; `NotSupportedError` where the driver cannot. */
  exec(argv: readonly string[], opts?: { readonly stdin?: string }): Promise<ExecResult>;
  /** Argv that opens an interactive shell (or runs `cmd`) on the machine, for `shoal machine ssh`. */
  shellArgv(cmd: readonly string[]): Promise<readonly string[]>;
}

/** Installs and (re)starts the engine on a machine with the given options and certificates. */
export interface Provisioner {
  readonly name: string;
  provision(opts: { readonly engine: EngineOptions; readonly auth: AuthPaths }): Promise<void>;
}

/** Builds drivers: one factory per driver name, listed in `drivers/registry.ts`. */
export interface DriverFactory {
  readonly config: DriverConfig;
  /** A new driver from create flags. */
  fromFlags(ctx: DriverContext, flags: DriverFlagValues): Driver;
  /** A driver from its saved record. */
  fromRecord(ctx: DriverContext, record: Record<string, unknown>): Driver;
  /** The provisioner for this driver's machines, or undefined when none runs (the `none` driver). */
  provisioner(driver: Driver, ctx: DriverContext): Provisioner | undefined;
}
