import type {
  DriverConfig,
  DriverContext,
  DriverFactory,
  DriverFlagValues,
  MachineState,
} from '../../driver.js';
import { InvalidFlagError } from '../../errors.js';
import { BaseDriver, flagString } from '../base-driver.js';

/** Flags of the `none` driver: only `--url` (env `NONE_URL`), the engine to register. */
export const noneDriverConfig: DriverConfig = {
  name: 'none',
  description: 'Register an existing Docker engine by URL; nothing is created or provisioned',
  flags: [
    {
      name: 'url',
      description: 'URL of the existing engine, tcp://IP:PORT',
      type: 'string',
      env: 'NONE_URL',
      required: true,
    },
  ],
};

/** Parses `tcp://HOST:PORT`; throws {@link InvalidFlagError} otherwise. */
export function parseEngineUrl(url: string): { host: string; port: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InvalidFlagError(`--url must look like tcp://IP:PORT, got "${url}"`);
  }
  const port = Number(u.port);
  if (u.protocol !== 'tcp:' || u.hostname === '' || !Number.isInteger(port) || port <= 0) {
    throw new InvalidFlagError(`--url must look like tcp://IP:PORT, got "${url}"`);
  }
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
}

/**
 * The `none` driver: registers an engine that already runs. Always Running; IP = host part of the URL; start, stop,
 * restart, kill, ssh are refused; no provisioning and no certificates on the host (the engine must already trust
 * the store CA).
 */
export class NoneDriver extends BaseDriver {
  readonly name = 'none';
  engineUrl = '';

  toRecord(): Record<string, unknown> {
    return { ...this.baseRecord(), URL: this.engineUrl };
  }

  setUrl(url: string): void {
    this.ipAddress = parseEngineUrl(url).host;
    this.engineUrl = url;
  }

  load(rec: Record<string, unknown>): void {
    this.loadBase(rec);
    if (typeof rec.URL === 'string') this.engineUrl = rec.URL;
  }

  async state(): Promise<MachineState> {
    return 'Running';
  }

  async url(): Promise<string> {
    return this.engineUrl;
  }
}

/** Factory of {@link NoneDriver}. */
export const noneDriverFactory: DriverFactory = {
  config: noneDriverConfig,
  fromFlags(ctx: DriverContext, flags: DriverFlagValues) {
    const url = flagString(flags.url);
    if (url === '') throw new InvalidFlagError('--url is required for the none driver');
    const d = new NoneDriver(ctx);
    d.setUrl(url);
    return d;
  },
  fromRecord(ctx: DriverContext, rec: Record<string, unknown>) {
    const d = new NoneDriver(ctx);
    d.load(rec);
    return d;
  },
  provisioner: () => undefined,
};
