import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  AuthPaths,
  DriverConfig,
  DriverContext,
  DriverFactory,
  DriverFlagValues,
  EngineOptions,
  ExecResult,
  MachineState,
  Provisioner,
} from '../../driver.js';
import { HostStateError, PreCreateCheckError, ProvisionError } from '../../errors.js';
import { BaseDriver, flagString } from '../base-driver.js';

/** Steps at which a {@link FakeWorld} can be told to fail. */
export type FakeFailStep = 'preCreateCheck' | 'create' | 'ip' | 'provision' | 'remove';

/** Shared state of every fake machine (IPs are loopback addresses 127.231.0.N, so nothing leaves the box) of one test: what exists, what ran, where to fail. */
export class FakeWorld {
  readonly machines = new Map<string, { state: MachineState; ip: string }>();
  readonly calls: string[] = [];
  readonly provisioned: { engine: EngineOptions; auth: AuthPaths }[] = [];
  failAt: FakeFailStep | undefined;
  /** Machines whose `state()` never answers (for `ls --timeout`). */
  readonly hang = new Set<string>();
  private nextIp = 10;

  allocateIp(): string {
    return `127.231.0.${this.nextIp++}`;
  }

  maybeFail(step: FakeFailStep, name: string): void {
    this.calls.push(`${step}:${name}`);
    if (this.failAt === step) {
      if (step === 'preCreateCheck')
        throw new PreCreateCheckError(`fake pre-create check failed for ${name}`);
      throw new ProvisionError(`fake ${step} failed for ${name}`);
    }
  }
}

/** Flags of the fake driver. */
export const fakeDriverConfig: DriverConfig = {
  name: 'fake',
  description: 'In-memory driver for unit tests',
  flags: [{ name: 'fake-ip', description: 'IP address to report', type: 'string' }],
};

/**
 * An in-memory driver for unit tests of the machine service: machines live in a {@link FakeWorld}; `create` drops a
 * `fake-disk` file in the machine directory so tests can see that a rollback removed it.
 */
export class FakeDriver extends BaseDriver {
  readonly name = 'fake';

  constructor(
    ctx: DriverContext,
    private readonly world: FakeWorld,
  ) {
    super(ctx);
  }

  toRecord(): Record<string, unknown> {
    return { ...this.baseRecord() };
  }

  load(rec: Record<string, unknown>): void {
    this.loadBase(rec);
  }

  override async preCreateCheck(): Promise<void> {
    this.world.maybeFail('preCreateCheck', this.ctx.machineName);
  }

  override async create(): Promise<void> {
    this.ctx.progress('Creating fake machine...');
    await writeFile(join(this.ctx.machineDir, 'fake-disk'), 'x').catch(() => undefined);
    this.world.machines.set(this.ctx.machineName, {
      state: 'Running',
      ip: this.ipAddress || this.world.allocateIp(),
    });
    this.world.maybeFail('create', this.ctx.machineName);
  }

  override async remove(): Promise<void> {
    this.world.maybeFail('remove', this.ctx.machineName);
    this.world.machines.delete(this.ctx.machineName);
    await rm(join(this.ctx.machineDir, 'fake-disk'), { force: true });
  }

  override async ip(): Promise<string> {
    this.world.maybeFail('ip', this.ctx.machineName);
    const m = this.world.machines.get(this.ctx.machineName);
    if (!m) throw new HostStateError(`fake machine ${this.ctx.machineName} does not exist`);
    this.ipAddress = m.ip;
    return m.ip;
  }

  async state(): Promise<MachineState> {
    if (this.world.hang.has(this.ctx.machineName)) return new Promise<MachineState>(() => undefined);
    return this.world.machines.get(this.ctx.machineName)?.state ?? 'Error';
  }

  private setState(s: MachineState): void {
    const m = this.world.machines.get(this.ctx.machineName);
    if (m) m.state = s;
  }

  override async start(): Promise<void> {
    this.setState('Running');
  }
  override async stop(): Promise<void> {
    this.setState('Stopped');
  }
  override async restart(): Promise<void> {
    this.setState('Running');
  }
  override async kill(): Promise<void> {
    this.setState('Stopped');
  }

  async url(): Promise<string> {
    await this.requireRunning();
    return `tcp://${await this.ip()}:2376`;
  }

  override async exec(argv: readonly string[]): Promise<ExecResult> {
    return { code: 0, stdout: `${argv.join(' ')}\n`, stderr: '' };
  }

  override async shellArgv(cmd: readonly string[]): Promise<readonly string[]> {
    return ['echo', ...cmd];
  }
}

/** A factory bound to one {@link FakeWorld}. */
export function fakeDriverFactory(world: FakeWorld): DriverFactory {
  return {
    config: fakeDriverConfig,
    fromFlags(ctx: DriverContext, flags: DriverFlagValues) {
      const d = new FakeDriver(ctx, world);
      d.ipAddress = flagString(flags['fake-ip']);
      return d;
    },
    fromRecord(ctx: DriverContext, rec: Record<string, unknown>) {
      const d = new FakeDriver(ctx, world);
      d.load(rec);
      return d;
    },
    provisioner(_driver, ctx): Provisioner {
      return {
        name: 'fake',
        async provision(opts) {
          world.maybeFail('provision', ctx.machineName);
          world.provisioned.push(opts);
        },
      };
    },
  };
}
