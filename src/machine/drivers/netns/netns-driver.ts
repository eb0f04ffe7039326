import { rm } from 'node:fs/promises';
import { netnsName, peerTempName, vethName } from '../../../host/names.js';
import {
  createNamespaces,
  destroyNamespaces,
  namespaceOwner,
  namespacesExist,
  netnsInode,
  nsenterArgv,
} from '../../../host/namespaces.js';
import { killProcesses, namespaceProcesses } from '../../../host/processes.js';
import { run } from '../../../host/run.js';
import { type Clock, systemClock } from '../../../util/clock.js';
import type { Driver, DriverContext, ExecResult, MachineState } from '../../driver.js';
import { HostStateError } from '../../errors.js';
import { withBridgeLock } from './bridge-lock.js';
import { type NetnsSettings, resolveSettings } from './config.js';
import {
  dockerdPid,
  dockerdProcesses,
  launchDockerd,
  readLaunchRecord,
  terminateDockerd,
  waitForDockerd,
} from './dockerd.js';
import { type MachineLayout, machineLayout } from './layout.js';
import { addressLeasedTo, leaseAddress, releaseAddress } from './leases.js';
import { ensureBridge, plugVeth, releaseBridge, unplugVeth } from './network.js';
import { checkNamespaceFree, checkRoot, checkSocketPaths, checkTools } from './preflight.js';

/** Default engine port. */
export const ENGINE_PORT = 2376;

/** The netns driver's part of `config.json` (under `Driver`). */
export interface NetnsRecord {
  MachineName: string;
  StorePath: string;
  IPAddress: string;
  Subnet: string;
  Bridge: string;
  Prefix: string;
  Netns: string;
  Veth: string;
  Dockerd: string;
  EnginePort: number;
}

/**
 * A local Docker host: network, UTS and mount namespaces (see `namespaces.ts` for how they are pinned), a veth
 * `eth1` on a shared bridge, and its own dockerd (started by {@link NetnsProvisioner}). Needs root.
 *
 * Life cycle: `create` makes namespaces + network; the provisioner writes the engine configuration and starts
 * dockerd; `stop` sends SIGTERM and waits, `start` launches the same configuration again (data kept), `kill` SIGKILLs
 * every process of the machine, `remove` kills them and deletes namespaces, veth, lease, engine files, and the
 * bridge with its FORWARD rule when it was the last machine on it.
 */
export class NetnsDriver implements Driver {
  readonly name = 'netns';
  readonly settings: NetnsSettings;
  readonly ns: string;
  readonly layout: MachineLayout;
  private ipAddress: string;
  private dockerdPath: string;

  constructor(
    readonly ctx: DriverContext,
    raw: { subnet?: string; bridge?: string; prefix?: string; dockerd?: string; ip?: string },
    private readonly clock: Clock = systemClock,
  ) {
    this.settings = resolveSettings(raw);
    this.ns = netnsName(this.settings.prefix, ctx.machineName);
    this.layout = machineLayout(ctx.machineDir);
    this.ipAddress = raw.ip ?? '';
    this.dockerdPath = this.settings.dockerd;
  }

  /** The veth's root-namespace end (known once an address is leased). */
  get veth(): string {
    return this.ipAddress ? vethName(this.settings.prefix, this.ipAddress) : '';
  }

  toRecord(): Record<string, unknown> {
    const rec: NetnsRecord = {
      MachineName: this.ctx.machineName,
      StorePath: this.ctx.storePath,
      IPAddress: this.ipAddress,
      Subnet: this.settings.subnet.cidr,
      Bridge: this.settings.bridge,
      Prefix: this.settings.prefix,
      Netns: this.ns,
      Veth: this.veth,
      Dockerd: this.dockerdPath,
      EnginePort: ENGINE_PORT,
    };
    return { ...rec };
  }

  async preCreateCheck(): Promise<void> {
    checkRoot();
    this.dockerdPath = await checkTools(this.settings.dockerd);
    checkSocketPaths(this.layout);
    await checkNamespaceFree(this.ns);
  }

  async create(): Promise<void> {
    try {
      await this.makeMachine();
    } catch (err) {
      await this.remove();
      throw err;
    }
  }

  /** Namespaces, bridge, address and veth; with a known address (a machine brought back), that address. */
  private async makeMachine(): Promise<void> {
    const { subnet, bridge, prefix } = this.settings;
    this.ctx.progress(
      `Creating namespaces ${this.ns} (network, hostname ${this.ctx.machineName}, mounts)...`,
    );
    await createNamespaces(this.ns, this.ctx.machineName, this.ctx.machineDir);
    this.ctx.progress(`Plugging into bridge ${bridge} (${subnet.cidr})...`);
    await withBridgeLock(bridge, this.clock, async () => {
      await ensureBridge(bridge, subnet);
      this.ipAddress = await leaseAddress(bridge, subnet, this.ns, this.ipAddress || undefined);
      await plugVeth({
        ns: this.ns,
        bridge,
        subnet,
        ip: this.ipAddress,
        veth: vethName(prefix, this.ipAddress),
        peer: peerTempName(prefix, this.ipAddress),
      });
    });
  }

  /**
   * Starts the engine with its saved configuration (data kept). A machine whose namespaces are gone (the host
   * rebooted: `/run` is empty) gets them made again first, with the same address.
   */
  async start(): Promise<void> {
    if ((await dockerdPid(this.layout)) !== undefined) return;
    const rec = await readLaunchRecord(this.layout);
    if (!rec) throw new HostStateError(`Machine "${this.ctx.machineName}" has no engine configuration yet`);
    if (!(await namespacesExist(this.ns))) {
      const owner = await namespaceOwner(this.ns);
      if (owner !== undefined && owner !== this.ctx.machineDir) {
        throw new HostStateError(`Namespace "${this.ns}" now belongs to another machine (${owner})`);
      }
      await destroyNamespaces(this.ns);
      await unplugVeth(this.veth);
      try {
        await this.makeMachine();
      } catch (err) {
        await destroyNamespaces(this.ns);
        await unplugVeth(this.veth);
        throw err;
      }
    }
    // A killed engine can leave containerd and shims behind; they would hold the engine's sockets.
    await this.killAll();
    const pid = await launchDockerd(this.ns, this.layout, rec, this.clock);
    try {
      await waitForDockerd(this.layout, pid, this.clock);
    } catch (err) {
      await this.killAll();
      throw err;
    }
  }

  async stop(): Promise<void> {
    await terminateDockerd(this.layout, this.clock);
    await this.killAll();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async kill(): Promise<void> {
    await this.killAll();
  }

  /**
   * SIGKILLs every process inside the machine's network namespace and their descendants, then any dockerd of this
   * machine (found by its own `--config-file`) still running elsewhere, with its descendants: an engine outside the
   * machine's current namespace would otherwise survive `rm` and hold the machine's data root.
   */
  async killAll(): Promise<void> {
    if (await this.ownsNamespaces()) {
      const inode = await netnsInode(this.ns);
      if (inode !== undefined) await killProcesses(() => namespaceProcesses(inode), this.clock);
    }
    await killProcesses(() => dockerdProcesses(this.layout.daemonJson), this.clock);
  }

  /** True when the namespaces called {@link ns} were made for this machine directory (not another store's). */
  private async ownsNamespaces(): Promise<boolean> {
    return (await namespaceOwner(this.ns)) === this.ctx.machineDir;
  }

  async remove(): Promise<void> {
    await this.killAll();
    if (await this.ownsNamespaces()) await destroyNamespaces(this.ns);
    await withBridgeLock(this.settings.bridge, this.clock, async () => {
      // A create killed between leasing the address and saving it left the lease (and maybe a veth) unrecorded.
      const ip = this.ipAddress || (await addressLeasedTo(this.settings.bridge, this.ns));
      if (ip) {
        await unplugVeth(vethName(this.settings.prefix, ip));
        await releaseAddress(this.settings.bridge, ip);
      }
      await releaseBridge(this.settings.bridge);
    });
    const l = this.layout;
    for (const p of [
      l.dataRoot,
      l.execRoot,
      l.daemonJson,
      l.keyJson,
      l.pidFile,
      `${l.pidFile}.shoal`,
      l.socket,
      l.log,
      l.launch,
    ]) {
      await rm(p, { recursive: true, force: true });
    }
  }

  async state(): Promise<MachineState> {
    if (!this.ipAddress) return 'None';
    return (await dockerdPid(this.layout)) !== undefined ? 'Running' : 'Stopped';
  }

  async ip(): Promise<string> {
    if (!this.ipAddress) throw new HostStateError(`Machine "${this.ctx.machineName}" has no IP address yet`);
    return this.ipAddress;
  }

  async url(): Promise<string> {
    const state = await this.state();
    if (state !== 'Running') {
      throw new HostStateError(`Machine "${this.ctx.machineName}" is not running (state ${state})`);
    }
    const port = (await readLaunchRecord(this.layout))?.port ?? ENGINE_PORT;
    return `tcp://${this.ipAddress}:${port}`;
  }

  /** The command as run inside the namespaces, with `DOCKER_HOST` pointing at the machine's own engine socket. */
  private inside(argv: readonly string[]): string[] {
    return nsenterArgv(this.ns, ['env', `DOCKER_HOST=unix://${this.layout.socket}`, ...argv]);
  }

  async exec(argv: readonly string[], opts?: { readonly stdin?: string }): Promise<ExecResult> {
    if (!(await namespacesExist(this.ns))) {
      throw new HostStateError(`Machine "${this.ctx.machineName}" has no namespaces (${this.ns})`);
    }
    return run(this.inside(argv), { allowFail: true, stdin: opts?.stdin });
  }

  async shellArgv(cmd: readonly string[]): Promise<readonly string[]> {
    return this.inside(cmd.length ? ['/bin/sh', '-c', cmd.join(' ')] : ['/bin/sh', '-l']);
  }
}
