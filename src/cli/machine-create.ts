import { type Command, Option } from 'commander';
import type { DriverFlag, DriverFlagValues } from '../machine/driver.js';
import { defaultDriverRegistry } from '../machine/drivers/registry.js';
import { CreateInterruptedError, InvalidFlagError } from '../machine/errors.js';
import { collect, serviceFor, withStore } from './machine-common.js';
import { runAction } from './run-action.js';

function driverOption(flag: DriverFlag): Option {
  const desc = `${flag.description}${flag.env ? ` (env ${flag.env})` : ''}`;
  switch (flag.type) {
    case 'bool':
      return new Option(`--${flag.name}`, desc);
    case 'string[]':
      return new Option(`--${flag.name} <value>`, desc).argParser(collect);
    case 'int':
      return new Option(`--${flag.name} <n>`, desc);
    default:
      return new Option(`--${flag.name} <value>`, desc);
  }
}

function driverFlagValues(cmd: Command, flags: readonly DriverFlag[]): DriverFlagValues {
  const out: Record<string, string | number | boolean | readonly string[] | undefined> = {};
  for (const f of flags) {
    const attr = new Option(`--${f.name}`).attributeName();
    let v = cmd.getOptionValue(attr) as string | boolean | string[] | undefined;
    if (v === undefined && f.env && process.env[f.env] !== undefined) v = process.env[f.env];
    if (v === undefined && f.default !== undefined) v = f.default as string | boolean | string[];
    if (f.type === 'int' && typeof v === 'string') {
      const n = Number(v);
      if (!Number.isInteger(n)) throw new InvalidFlagError(`--${f.name} must be an integer, got "${v}"`);
      out[f.name] = n;
      continue;
    }
    out[f.name] = v;
  }
  return out;
}

/**
 * `shoal machine create`: shared flags (docs/behaviour/machine.md#create-flags) plus every driver's own
 * flags.
 */
export function addCreateCommand(machine: Command): void {
  const registry = defaultDriverRegistry();
  const cmd = withStore(machine.command('create'))
    .description('Create a machine')
    .argument('<name>', 'machine name ([A-Za-z0-9][A-Za-z0-9.-]*)')
    .option('-d, --driver <driver>', `driver: ${[...registry.keys()].sort().join(', ')} (env SHOAL_DRIVER)`)
    .option('--engine-opt <k=v>', 'dockerd flag --k=v (repeatable)', collect)
    .option('--engine-label <k=v>', 'engine label (repeatable)', collect)
    .option('--engine-registry-mirror <url>', 'registry mirror URL (repeatable)', collect)
    .option('--engine-insecure-registry <host>', 'insecure registry (repeatable)', collect)
    .option('--engine-storage-driver <name>', 'engine storage driver')
    .option('--engine-env <K=V>', 'engine environment variable (repeatable)', collect)
    .option('--swarm', 'configure the machine to join a swarm')
    .option('--swarm-master', 'configure the machine as a swarm master')
    .option('--swarm-discovery <url>', 'discovery service URL, scheme://...')
    .option('--swarm-strategy <name>', 'swarm scheduling strategy', 'spread')
    .option('--swarm-opt <k[=v]>', 'manager option (repeatable)', collect)
    .option('--swarm-join-opt <k[=v]>', 'agent option (repeatable)', collect)
    .option('--swarm-host <url>', 'manager listen address', 'tcp://0.0.0.0:3376')
    .option('--swarm-addr <addr>', 'address to advertise (stored only)', '')
    .option('--swarm-image <image>', 'swarm image (env SHOAL_SWARM_IMAGE)')
    .option('--swarm-experimental', 'enable swarm experimental features')
    .option('--tls-san <name>', 'extra SAN in the server certificate (repeatable)', collect);
  const allFlags: DriverFlag[] = [];
  for (const f of registry.values()) {
    for (const flag of f.config.flags) {
      if (allFlags.some((x) => x.name === flag.name)) continue;
      allFlags.push(flag);
      cmd.addOption(driverOption(flag));
    }
  }
  cmd.action(
    runAction(async (name: string, o: Record<string, unknown>, self: Command) => {
      const driver =
        (o.driver as string | undefined) ?? process.env.SHOAL_DRIVER ?? process.env.MACHINE_DRIVER;
      if (!driver) {
        throw new InvalidFlagError(
          `--driver is required (one of: ${[...registry.keys()].sort().join(', ')})`,
        );
      }
      const factory = registry.get(driver);
      const svc = serviceFor(self, { progress: true });
      const t0 = Date.now();
      // Ctrl-C / SIGTERM: stop at the next step and roll back instead of leaving a half-made machine.
      const abort = new AbortController();
      const onSignal = (sig: NodeJS.Signals): void => {
        process.stderr.write(`${sig}: stopping and removing what was made...\n`);
        abort.abort(new CreateInterruptedError(`create of "${name}" interrupted by ${sig}`));
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await svc.create(
          {
            name,
            driver,
            driverFlags: factory ? driverFlagValues(self, factory.config.flags) : {},
            engine: {
              opts: o.engineOpt as string[] | undefined,
              labels: o.engineLabel as string[] | undefined,
              registryMirror:
                (o.engineRegistryMirror as string[] | undefined) ??
                (process.env.ENGINE_REGISTRY_MIRROR ? [process.env.ENGINE_REGISTRY_MIRROR] : undefined),
              insecureRegistry: o.engineInsecureRegistry as string[] | undefined,
              storageDriver: o.engineStorageDriver as string | undefined,
              env: o.engineEnv as string[] | undefined,
            },
            swarm: {
              agent: Boolean(o.swarm),
              master: Boolean(o.swarmMaster),
              discovery: o.swarmDiscovery as string | undefined,
              strategy: o.swarmStrategy as string,
              opts: o.swarmOpt as string[] | undefined,
              joinOpts: o.swarmJoinOpt as string[] | undefined,
              host: o.swarmHost as string,
              addr: o.swarmAddr as string,
              image:
                (o.swarmImage as string | undefined) ??
                process.env.SHOAL_SWARM_IMAGE ??
                process.env.MACHINE_SWARM_IMAGE,
              experimental: Boolean(o.swarmExperimental),
            },
            tlsSan: o.tlsSan as string[] | undefined,
          },
          abort.signal,
        );
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      const secs = ((Date.now() - t0) / 1000).toFixed(2);
      process.stdout.write(
        `Machine "${name}" created in ${secs}s. To see how to connect your Docker client to it, run: shoal machine env ${name}\n`,
      );
    }),
  );
}
