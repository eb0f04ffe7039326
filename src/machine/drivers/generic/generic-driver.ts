import { access, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../host/atomic-write.js';
import { systemClock } from '../../../util/clock.js';
import type {
  DriverConfig,
  DriverContext,
  DriverFactory,
  DriverFlagValues,
  ExecResult,
  MachineState,
} from '../../driver.js';
import { InvalidFlagError, PreCreateCheckError } from '../../errors.js';
import { BaseDriver, flagInt, flagString } from '../base-driver.js';
import { GenericProvisioner, shQuote } from './generic-provisioner.js';
import { type SshTarget, sshArgv, sshExec } from './ssh-client.js';

/** Flags of the `generic` driver (an existing host reached over SSH). */
export const genericDriverConfig: DriverConfig = {
  name: 'generic',
  description: 'An existing Linux host reached over SSH; dockerd must be installed',
  flags: [
    {
      name: 'generic-ip-address',
      description: 'IP address of the host',
      type: 'string',
      env: 'GENERIC_IP_ADDRESS',
      required: true,
    },
    {
      name: 'generic-ssh-user',
      description: 'SSH user',
      type: 'string',
      env: 'GENERIC_SSH_USER',
      default: 'root',
    },
    {
      name: 'generic-ssh-key',
      description: 'SSH private key path (default: the SSH agent)',
      type: 'string',
      env: 'GENERIC_SSH_KEY',
    },
    { name: 'generic-ssh-port', description: 'SSH port', type: 'int', env: 'GENERIC_SSH_PORT', default: 22 },
    {
      name: 'generic-engine-port',
      description: 'Docker engine port',
      type: 'int',
      env: 'GENERIC_ENGINE_PORT',
      default: 2376,
    },
  ],
};

/** How long a TCP probe of the SSH port may take before the host counts as Stopped (docker-machine: 15 s). */
export const SSH_PROBE_TIMEOUT_MS = 15_000;

/** Resolves true when `host:port` accepts a TCP connection within `timeoutMs`. */
export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * The `generic` driver: an existing host over SSH. State = Running when the SSH port accepts a TCP connection,
 * else Stopped; start/stop/kill are refused; restart runs `sudo shutdown -r now`; remove only forgets the host.
 * The SSH key is copied into the machine directory (0600) at create.
 */
export class GenericDriver extends BaseDriver {
  readonly name = 'generic';
  enginePort = 2376;
  /** The key the user passed (`--generic-ssh-key`); `sshKeyPath` is the copy in the machine directory. */
  sshKey = '';
  probeTimeoutMs = SSH_PROBE_TIMEOUT_MS;

  toRecord(): Record<string, unknown> {
    return { ...this.baseRecord(), EnginePort: this.enginePort, SSHKey: this.sshKey };
  }

  load(rec: Record<string, unknown>): void {
    this.loadBase(rec);
    if (typeof rec.EnginePort === 'number') this.enginePort = rec.EnginePort;
    if (typeof rec.SSHKey === 'string') this.sshKey = rec.SSHKey;
  }

  target(): SshTarget {
    return { host: this.ipAddress, port: this.sshPort, user: this.sshUser, keyPath: this.sshKeyPath };
  }

  override async preCreateCheck(): Promise<void> {
    if (this.sshKey) {
      await access(this.sshKey).catch((err: unknown) => {
        throw new PreCreateCheckError(`SSH key ${this.sshKey} cannot be read`, { cause: err });
      });
    }
  }

  override async create(): Promise<void> {
    if (this.sshKey) {
      this.ctx.progress('Importing SSH key...');
      this.sshKeyPath = join(this.ctx.machineDir, 'id_rsa');
      await writeFileAtomic(this.sshKeyPath, await readFile(this.sshKey), 0o600);
      const pub = await readFile(`${this.sshKey}.pub`).catch(() => undefined);
      if (pub) await writeFileAtomic(`${this.sshKeyPath}.pub`, pub, 0o644);
    }
    this.ctx.progress('Waiting for SSH to be available...');
    let last: unknown;
    for (let i = 0; i < 10; i++) {
      try {
        const r = await sshExec(this.target(), 'exit 0');
        if (r.code === 0) return;
      } catch (err) {
        last = err;
      }
      await systemClock.sleep(1000);
    }
    throw new PreCreateCheckError(`cannot reach ${this.ipAddress}:${this.sshPort} over SSH`, { cause: last });
  }

  async state(): Promise<MachineState> {
    return (await tcpProbe(this.ipAddress, this.sshPort, this.probeTimeoutMs)) ? 'Running' : 'Stopped';
  }

  async url(): Promise<string> {
    await this.requireRunning();
    return `tcp://${this.ipAddress}:${this.enginePort}`;
  }

  override async restart(): Promise<void> {
    await sshExec(this.target(), 'sudo shutdown -r now');
  }

  override async exec(argv: readonly string[], opts?: { readonly stdin?: string }): Promise<ExecResult> {
    return sshExec(this.target(), argv.map(shQuote).join(' '), opts?.stdin);
  }

  override async shellArgv(cmd: readonly string[]): Promise<readonly string[]> {
    return sshArgv(this.target(), cmd);
  }
}

/** Factory of {@link GenericDriver}. */
export const genericDriverFactory: DriverFactory = {
  config: genericDriverConfig,
  fromFlags(ctx: DriverContext, flags: DriverFlagValues) {
    const d = new GenericDriver(ctx);
    d.ipAddress = flagString(flags['generic-ip-address']);
    if (d.ipAddress === '')
      throw new InvalidFlagError('generic driver requires the --generic-ip-address option');
    d.sshUser = flagString(flags['generic-ssh-user']) || 'root';
    d.sshKey = flagString(flags['generic-ssh-key']);
    try {
      d.sshPort = flagInt(flags['generic-ssh-port'], 22, 'generic-ssh-port');
      d.enginePort = flagInt(flags['generic-engine-port'], 2376, 'generic-engine-port');
    } catch (err) {
      throw new InvalidFlagError((err as Error).message);
    }
    return d;
  },
  fromRecord(ctx: DriverContext, rec: Record<string, unknown>) {
    const d = new GenericDriver(ctx);
    d.load(rec);
    return d;
  },
  provisioner(driver, _ctx) {
    const d = driver as GenericDriver;
    return new GenericProvisioner(
      (cmd, stdin) => sshExec(d.target(), cmd, stdin),
      'generic',
      (ms) => systemClock.sleep(ms),
      d.sshUser === 'root' ? '' : 'sudo ',
    );
  },
};
