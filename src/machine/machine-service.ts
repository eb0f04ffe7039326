import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../host/atomic-write.js';
import type { Clock } from '../util/clock.js';
import { systemClock } from '../util/clock.js';
import {
  ensureStoreCerts,
  issueServerCert,
  type KeyAlgorithm,
  regenerateStoreCerts,
  type StoreCertPaths,
} from './certs/index.js';
import {
  buildEngineOptions,
  buildSwarmOptions,
  type CreateRequest,
  validateMachineName,
} from './create-options.js';
import type { AuthPaths, Driver, DriverContext, DriverFactory } from './driver.js';
import { shQuote } from './drivers/generic/generic-provisioner.js';
import { type DriverRegistry, defaultDriverRegistry, lookupDriver } from './drivers/registry.js';
import { type ClientTls, waitForEngine } from './engine-probe.js';
import { HostExistsError } from './errors.js';
import { CONFIG_VERSION, defaultAuthOptions, engineOptionsOf, type HostRecord } from './host-record.js';
import { FileStore } from './store/file-store.js';
import type { HostStore } from './store/host-store.js';
import { startRemoteSwarmContainers } from './swarm/remote-swarm.js';
import { startSwarmContainers } from './swarm/swarm-containers.js';

/** A loaded machine: its record, live driver and factory. */
export interface Host {
  readonly name: string;
  readonly record: HostRecord;
  readonly driver: Driver;
  readonly factory: DriverFactory;
  readonly machineDir: string;
}

/** Checks an engine answers over TLS; injectable so unit tests need no engine. */
export type EngineChecker = (url: string, tls: ClientTls, signal?: AbortSignal) => Promise<void>;

/** Constructor options of {@link MachineService}. */
export interface MachineServiceOptions {
  readonly storePath: string;
  readonly store?: HostStore;
  readonly drivers?: DriverRegistry;
  readonly clock?: Clock;
  /** Receives one line per step as it starts ("Creating CA", "Creating machine", ...). */
  readonly progress?: (line: string) => void;
  readonly engineCheck?: EngineChecker;
  /** Timeout of the engine wait at the end of create/start/provision (ms, default 90 s). */
  readonly engineTimeoutMs?: number;
  readonly keyAlgorithm?: KeyAlgorithm;
}

/**
 * The `shoal machine` use cases over a {@link HostStore} and the driver registry. `create` runs: validate → CA +
 * client cert → driver pre-create check → save → driver create → IP → server cert → provision → engine TLS check →
 * save. Any failure after the pre-create check removes what the driver made and the machine directory.
 */
export class MachineService {
  readonly storePath: string;
  readonly store: HostStore;
  readonly drivers: DriverRegistry;
  readonly certDir: string;
  private readonly clock: Clock;
  private readonly progress: (line: string) => void;
  private readonly engineCheck: EngineChecker;

  constructor(private readonly opts: MachineServiceOptions) {
    this.storePath = opts.storePath;
    this.store = opts.store ?? new FileStore(opts.storePath);
    this.drivers = opts.drivers ?? defaultDriverRegistry();
    this.certDir = join(opts.storePath, 'certs');
    this.clock = opts.clock ?? systemClock;
    this.progress = opts.progress ?? (() => undefined);
    this.engineCheck =
      opts.engineCheck ??
      ((url, tls) =>
        waitForEngine(url, tls, { timeoutMs: opts.engineTimeoutMs ?? 90_000, clock: this.clock }));
  }

  /** The driver context for a machine. */
  context(name: string): DriverContext {
    return {
      machineName: name,
      machineDir: this.store.machineDir(name),
      storePath: this.storePath,
      progress: this.progress,
    };
  }

  /** The TLS files clients use for a machine (its directory's copies: `DOCKER_CERT_PATH=<machine dir>`). */
  clientTls(name: string): ClientTls {
    const dir = this.store.machineDir(name);
    return {
      caCert: join(dir, 'ca.pem'),
      clientCert: join(dir, 'cert.pem'),
      clientKey: join(dir, 'key.pem'),
    };
  }

  /** Ensures the store's CA and client certificate. */
  ensureCerts(): Promise<StoreCertPaths> {
    return ensureStoreCerts(this.certDir, {
      alg: this.opts.keyAlgorithm,
      clock: this.clock,
      progress: this.progress,
    });
  }

  /**
   * Creates a machine (see the class comment for the order). Returns the saved record. Aborting `signal` (the CLI
   * does on SIGINT/SIGTERM) stops at the next step and rolls back like any failure.
   */
  async create(req: CreateRequest, signal?: AbortSignal): Promise<HostRecord> {
    validateMachineName(req.name);
    const factory = lookupDriver(this.drivers, req.driver);
    const engine = buildEngineOptions(req.engine);
    const swarm = buildSwarmOptions(req.swarm);
    if (await this.store.exists(req.name)) throw new HostExistsError(req.name);
    const ctx = this.context(req.name);
    const driver = factory.fromFlags(ctx, req.driverFlags);

    this.progress('Checking certificates');
    await this.ensureCerts();
    this.progress('Running pre-create checks');
    await driver.preCreateCheck();

    const record: HostRecord = {
      ConfigVersion: CONFIG_VERSION,
      Driver: driver.toRecord(),
      DriverName: factory.config.name,
      HostOptions: {
        Driver: factory.config.name,
        Memory: 0,
        Disk: 0,
        EngineOptions: engine,
        SwarmOptions: swarm,
        AuthOptions: {
          ...defaultAuthOptions(this.storePath, ctx.machineDir),
          ServerCertSANs: [...(req.tlsSan ?? [])],
        },
      },
      Name: req.name,
    };
    let made = false;
    try {
      await mkdir(ctx.machineDir, { recursive: true, mode: 0o700 });
      made = true;
      await this.copyClientCerts(req.name);
      await this.store.save(record);
      this.progress(`Creating machine with the ${factory.config.name} driver`);
      signal?.throwIfAborted();
      await driver.create();
      signal?.throwIfAborted();
      record.Driver = driver.toRecord();
      await this.store.save(record);
      const provisioner = factory.provisioner(driver, ctx);
      if (provisioner) {
        await this.issueAndProvision(req.name, record, driver, factory, ctx);
        signal?.throwIfAborted();
        this.progress('Waiting for the Docker API over TLS');
        await this.engineCheck(await driver.url(), this.clientTls(req.name), signal);
        signal?.throwIfAborted();
        await this.startSwarm(req.name, record, driver);
      }
      record.Driver = driver.toRecord();
      await this.store.save(record);
      return record;
    } catch (err) {
      if (made) await this.rollback(req.name, driver);
      throw err;
    }
  }

  private async rollback(name: string, driver: Driver): Promise<void> {
    this.progress('Create failed: removing what was made');
    try {
      await driver.remove();
    } catch {
      // the original error matters more; the directory goes regardless
    }
    await this.store.remove(name);
    await rm(this.store.machineDir(name), { recursive: true, force: true });
  }

  private async copyClientCerts(name: string): Promise<void> {
    const dir = this.store.machineDir(name);
    const files: [string, string, number][] = [
      ['ca.pem', 'ca.pem', 0o644],
      ['cert.pem', 'cert.pem', 0o644],
      ['key.pem', 'key.pem', 0o600],
    ];
    for (const [from, to, mode] of files) {
      await writeFileAtomic(join(dir, to), await readFile(join(this.certDir, from)), mode);
    }
  }

  private async issueAndProvision(
    name: string,
    record: HostRecord,
    driver: Driver,
    factory: DriverFactory,
    ctx: DriverContext,
  ): Promise<void> {
    const ip = await driver.ip();
    const port = await driver
      .url()
      .then((u) => Number(new URL(u.replace(/^tcp:/, 'http:')).port))
      .catch(() => 0);
    if (port > 0) record.HostOptions.EngineOptions.Port = port;
    this.progress(`Issuing the server certificate for ${ip}`);
    const auth = this.authPaths(name);
    await issueServerCert({
      caCertPath: join(this.certDir, 'ca.pem'),
      caKeyPath: join(this.certDir, 'ca-key.pem'),
      commonName: name,
      ips: [ip],
      dns: record.HostOptions.AuthOptions.ServerCertSANs,
      clientAuth: record.HostOptions.SwarmOptions.Master,
      outCert: auth.serverCert,
      outKey: auth.serverKey,
      alg: this.opts.keyAlgorithm,
      clock: this.clock,
    });
    const provisioner = factory.provisioner(driver, ctx);
    if (!provisioner) return;
    this.progress(`Provisioning the engine (${provisioner.name})`);
    await provisioner.provision({ engine: engineOptionsOf(record), auth });
  }

  /**
   * Re-creates a host's swarm containers from its record (after one was removed); nothing when the host is not in a
   * swarm. Idempotent.
   */
  async restartSwarm(name: string): Promise<void> {
    const host = await this.load(name);
    await this.startSwarm(name, host.record, host.driver);
  }

  /** Starts the `--swarm` / `--swarm-master` containers of a host (nothing when it is not in a swarm). */
  private async startSwarm(name: string, record: HostRecord, driver: Driver): Promise<void> {
    if (!record.HostOptions.SwarmOptions.IsSwarm) return;
    if (driver.name === 'generic') {
      // the host has its own files: certificates go over SSH, docker commands to its engine over TLS
      const sudo = record.Driver.SSHUser === 'root' || !record.Driver.SSHUser ? '' : 'sudo -n ';
      await startRemoteSwarmContainers(
        {
          name,
          ip: await driver.ip(),
          enginePort: record.HostOptions.EngineOptions.Port ?? 2376,
          machineDir: this.store.machineDir(name),
          swarm: record.HostOptions.SwarmOptions,
          shell: (script, stdin) =>
            driver.exec(
              ['sh', '-c', `${sudo}sh -c ${shQuote(script)}`],
              stdin === undefined ? {} : { stdin },
            ),
        },
        { cacheDir: join(this.storePath, 'cache'), progress: this.progress },
      );
      return;
    }
    await startSwarmContainers(
      {
        name,
        ip: await driver.ip(),
        enginePort: record.HostOptions.EngineOptions.Port ?? 2376,
        machineDir: this.store.machineDir(name),
        swarm: record.HostOptions.SwarmOptions,
        exec: (argv) => driver.exec(argv),
      },
      { cacheDir: join(this.storePath, 'cache'), progress: this.progress },
    );
  }

  /** The TLS paths handed to a provisioner. */
  authPaths(name: string): AuthPaths {
    const dir = this.store.machineDir(name);
    return {
      machineDir: dir,
      caCert: join(dir, 'ca.pem'),
      serverCert: join(dir, 'server.pem'),
      serverKey: join(dir, 'server-key.pem'),
      clientCert: join(dir, 'cert.pem'),
      clientKey: join(dir, 'key.pem'),
    };
  }

  /** Loads one machine with its driver. Throws HostNotFoundError / HostLoadError / UnknownDriverError. */
  async load(name: string): Promise<Host> {
    const record = await this.store.load(name);
    const factory = lookupDriver(this.drivers, record.DriverName);
    const driver = factory.fromRecord(this.context(name), record.Driver);
    return { name, record, driver, factory, machineDir: this.store.machineDir(name) };
  }

  /** Every stored machine, loaded where possible (a failure is returned, not thrown). */
  async list(): Promise<{ name: string; host?: Host; error?: Error }[]> {
    const names = await this.store.list();
    return Promise.all(
      names.map(async (name) => {
        try {
          return { name, host: await this.load(name) };
        } catch (err) {
          return { name, error: err as Error };
        }
      }),
    );
  }

  /** Removes a machine: driver remove, then the directory. With `force`, a driver failure still removes local data. */
  async remove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    let host: Host | undefined;
    try {
      host = await this.load(name);
    } catch (err) {
      if (!opts.force || !(await this.store.exists(name))) throw err;
    }
    try {
      await host?.driver.remove();
    } catch (err) {
      if (!opts.force) throw err;
    }
    await this.store.remove(name);
  }

  private async act(name: string, op: 'start' | 'stop' | 'restart' | 'kill'): Promise<Host> {
    const host = await this.load(name);
    await host.driver[op]();
    await this.saveDriver(host);
    return host;
  }

  private async saveDriver(host: Host): Promise<void> {
    await this.store.save({ ...host.record, Driver: host.driver.toRecord() });
  }

  /** Starts a machine and waits for its engine (when it has a provisioner). */
  async start(name: string): Promise<void> {
    const host = await this.act(name, 'start');
    if (host.factory.provisioner(host.driver, this.context(name))) {
      await this.engineCheck(await host.driver.url(), this.clientTls(name));
    }
  }

  async stop(name: string): Promise<void> {
    await this.act(name, 'stop');
  }

  async kill(name: string): Promise<void> {
    await this.act(name, 'kill');
  }

  async restart(name: string): Promise<void> {
    const host = await this.act(name, 'restart');
    if (host.factory.provisioner(host.driver, this.context(name))) {
      await this.engineCheck(await host.driver.url(), this.clientTls(name));
    }
  }

  /**
   * Re-issues a machine's server certificate for its current IP and re-runs provisioning so the engine uses it.
   * With `clientCerts`, the store CA and client certificate are replaced first (every other machine then needs
   * its own regenerate-certs).
   */
  async regenerateCerts(name: string, opts: { clientCerts?: boolean } = {}): Promise<void> {
    const host = await this.load(name);
    if (opts.clientCerts) {
      this.progress('Regenerating the CA and client certificate');
      await regenerateStoreCerts(this.certDir, { alg: this.opts.keyAlgorithm, clock: this.clock });
    } else {
      await this.ensureCerts();
    }
    await this.copyClientCerts(name);
    const ctx = this.context(name);
    if (!host.factory.provisioner(host.driver, ctx)) return;
    this.progress('Regenerating TLS certificates');
    await this.issueAndProvision(name, host.record, host.driver, host.factory, ctx);
    await this.store.save({ ...host.record, Driver: host.driver.toRecord() });
    await this.engineCheck(await host.driver.url(), this.clientTls(name));
    await this.startSwarm(name, host.record, host.driver);
  }

  /** Re-runs provisioning with the current server certificate (issued again for the current IP). */
  async provision(name: string): Promise<void> {
    const host = await this.load(name);
    const ctx = this.context(name);
    if (!host.factory.provisioner(host.driver, ctx)) return;
    await this.ensureCerts();
    await this.copyClientCerts(name);
    await this.issueAndProvision(name, host.record, host.driver, host.factory, ctx);
    await this.store.save({ ...host.record, Driver: host.driver.toRecord() });
    await this.engineCheck(await host.driver.url(), this.clientTls(name));
    await this.startSwarm(name, host.record, host.driver);
  }
}
