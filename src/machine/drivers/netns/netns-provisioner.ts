import { writeFileAtomic } from '../../../host/atomic-write.js';
import { type Clock, systemClock } from '../../../util/clock.js';
import type { AuthPaths, EngineOptions, Provisioner } from '../../driver.js';
import { HostStateError } from '../../errors.js';
import { buildDaemonConfig } from './daemon-config.js';
import { dockerdPid, type LaunchRecord, launchDockerd, terminateDockerd, waitForDockerd } from './dockerd.js';
import type { NetnsDriver } from './netns-driver.js';
import { bridgeIpFor } from './subnet.js';

/**
 * Configures and starts a netns machine's dockerd: writes `daemon.json` (own key path = own engine ID, own
 * data/exec roots, pidfile and unix socket in the machine directory, TLS on `tcp://0.0.0.0:PORT` with the
 * machine's certificates, labels incl. `provider=netns`, registries, storage driver, cluster store) and
 * `engine.json` (how `start` relaunches it), then starts dockerd in the namespaces and waits until it answers.
 * A running engine is stopped first, so provisioning again (new certificates) applies the new files.
 */
export class NetnsProvisioner implements Provisioner {
  readonly name = 'netns';

  constructor(
    private readonly driver: NetnsDriver,
    private readonly clock: Clock = systemClock,
  ) {}

  async provision(opts: { readonly engine: EngineOptions; readonly auth: AuthPaths }): Promise<void> {
    const d = this.driver;
    const ip = await d.ip();
    const cfg = buildDaemonConfig(opts.engine, opts.auth, {
      layout: d.layout,
      bip: bridgeIpFor(d.settings.subnet, ip),
      driverName: d.name,
    });
    const dockerd = String(d.toRecord().Dockerd);
    const launch: LaunchRecord = { dockerd, flags: cfg.flags, env: cfg.env, port: opts.engine.port };
    d.ctx.progress('Writing the engine configuration (daemon.json)...');
    await writeFileAtomic(d.layout.daemonJson, `${JSON.stringify(cfg.daemonJson, null, 2)}\n`);
    await writeFileAtomic(d.layout.launch, `${JSON.stringify(launch, null, 2)}\n`);
    if ((await dockerdPid(d.layout)) !== undefined) {
      d.ctx.progress('Stopping the running engine...');
      if (!(await terminateDockerd(d.layout, this.clock))) {
        throw new HostStateError(`The engine of "${d.ctx.machineName}" did not stop`);
      }
    }
    await d.killAll();
    d.ctx.progress('Starting the engine (dockerd)...');
    const pid = await launchDockerd(d.ns, d.layout, launch, this.clock);
    d.ctx.progress('Waiting for the engine API...');
    try {
      await waitForDockerd(d.layout, pid, this.clock);
    } catch (err) {
      await d.killAll();
      throw err;
    }
  }
}
