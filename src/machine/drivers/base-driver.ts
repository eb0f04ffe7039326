import { NotSupportedError } from '../../util/errors.js';
import type { Driver, DriverContext, ExecResult, MachineState } from '../driver.js';
import { HostStateError } from '../errors.js';

/**
 * Shared driver defaults (docker-machine's BaseDriver): the machine name, store path and SSH coordinates, and honest
 * refusals for every optional operation. Subclasses override what they can do.
 */
export abstract class BaseDriver implements Driver {
  abstract readonly name: string;
  ipAddress = '';
  sshUser = 'root';
  sshPort = 22;
  sshKeyPath = '';

  constructor(protected readonly ctx: DriverContext) {}

  /** Fields every record carries (docker-machine's BaseDriver JSON). */
  protected baseRecord(): Record<string, unknown> {
    return {
      IPAddress: this.ipAddress,
      MachineName: this.ctx.machineName,
      SSHUser: this.sshUser,
      SSHPort: this.sshPort,
      SSHKeyPath: this.sshKeyPath,
      StorePath: this.ctx.storePath,
    };
  }

  /** Restores the base fields from a record. */
  protected loadBase(rec: Record<string, unknown>): void {
    if (typeof rec.IPAddress === 'string') this.ipAddress = rec.IPAddress;
    if (typeof rec.SSHUser === 'string') this.sshUser = rec.SSHUser;
    if (typeof rec.SSHPort === 'number') this.sshPort = rec.SSHPort;
    if (typeof rec.SSHKeyPath === 'string') this.sshKeyPath = rec.SSHKeyPath;
  }

  abstract toRecord(): Record<string, unknown>;
  abstract state(): Promise<MachineState>;
  abstract url(): Promise<string>;

  async preCreateCheck(): Promise<void> {}
  async create(): Promise<void> {}
  async remove(): Promise<void> {}

  async ip(): Promise<string> {
    return this.ipAddress;
  }

  protected unsupported(op: string): never {
    throw new NotSupportedError(`the "${this.name}" driver does not support ${op}`);
  }

  async start(): Promise<void> {
    this.unsupported('start');
  }
  async stop(): Promise<void> {
    this.unsupported('stop');
  }
  async restart(): Promise<void> {
    this.unsupported('restart');
  }
  async kill(): Promise<void> {
    this.unsupported('kill');
  }
  async exec(_argv: readonly string[]): Promise<ExecResult> {
    this.unsupported('running commands');
  }
  async shellArgv(_cmd: readonly string[]): Promise<readonly string[]> {
    this.unsupported('ssh');
  }

  /** Throws {@link HostStateError} unless the machine is Running (used by `url()`). */
  protected async requireRunning(): Promise<void> {
    const s = await this.state();
    if (s !== 'Running') throw new HostStateError(`Host is not running (state: ${s})`);
  }
}

/** Reads a flag value as a string ('' when absent). */
export function flagString(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** Reads a flag value as an integer, or `def` when absent; throws on a non-number. */
export function flagInt(v: unknown, def: number, name: string): number {
  if (v === undefined || v === '') return def;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n)) throw new TypeError(`--${name} must be an integer, got "${String(v)}"`);
  return n;
}
