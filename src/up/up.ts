/**
 * `shoal up`: brings a cluster to the declared shape, step by step, each timed. Steps: preflight → KV host → KV
 * cluster → registry (+ busybox) → engine hosts (managers then nodes, one after another) → hosts no longer declared
 * removed → wait for a primary seeing every node healthy. A step finds what exists and only makes what is missing,
 * so a second run changes nothing. When a step fails, what this run made is removed again (what existed before is
 * left alone) and the error names the step.
 */
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { netnsName } from '../host/names.js';
import { isRoot, which } from '../host/preflight.js';
import { createKvCluster, type KvCluster } from '../kv/index.js';
import { issueServerCert } from '../machine/certs/index.js';
import type { CreateRequest } from '../machine/create-options.js';
import { MachineService } from '../machine/machine-service.js';
import { AGENT_CONTAINER, MASTER_CONTAINER } from '../machine/swarm/swarm-containers.js';
import { type Clock, systemClock } from '../util/clock.js';
import { UpStepError } from './errors.js';
import { type ManagerView, managerView } from './manager-info.js';
import { type MirrorSite, REGISTRY_BINARY, seedBusybox, startMirror, stopMirror } from './registry-mirror.js';
import type { UpSpec } from './spec.js';
import { loadUpState, saveUpState, type UpState, upDir } from './state.js';
import { TimedProgress } from './timed-progress.js';
import { fingerprint, hostRequest, kvClusterName, kvHostRequest, kvMembers, kvTls } from './topology.js';

/** Duration of one step and whether it changed anything. */
export interface StepTiming {
  readonly step: string;
  readonly ms: number;
  readonly changed: boolean;
}

/** Result of {@link ClusterUp.up}. */
export interface UpResult {
  readonly steps: readonly StepTiming[];
  /** True when any step made, started or removed something. */
  readonly changed: boolean;
  readonly kvIp: string;
  /** The primary manager's address. */
  readonly primary: string;
  readonly totalMs: number;
}

/** Options of {@link ClusterUp}. */
export interface ClusterUpOptions {
  readonly storePath: string;
  /** One line per step start/end and per machine sub-step. */
  readonly progress?: (line: string) => void;
  readonly clock?: Clock;
  /** How long the final wait for a healthy cluster may take (default 90 s). */
  readonly settleTimeoutMs?: number;
}

/** Registry mirror site of a cluster. */
export function mirrorSite(storePath: string, spec: UpSpec, kvIp: string): MirrorSite {
  return { dir: join(upDir(storePath), 'registry'), ip: kvIp, ns: netnsName(spec.prefix, spec.kvHost) };
}

/** The KV cluster of a cluster. */
export function kvCluster(storePath: string, spec: UpSpec, kvIp: string, clock?: Clock): KvCluster {
  return createKvCluster(
    {
      name: kvClusterName(spec),
      members: kvMembers(spec, kvIp),
      dataDir: join(upDir(storePath), 'kv'),
      tls: kvTls(storePath),
    },
    clock ? { clock } : {},
  );
}

/** Builds and repairs a cluster; see the module comment. */
export class ClusterUp {
  readonly service: MachineService;
  private readonly clock: Clock;
  private readonly timed: TimedProgress;

  constructor(private readonly opts: ClusterUpOptions) {
    this.clock = opts.clock ?? systemClock;
    this.timed = new TimedProgress(this.clock, opts.progress);
    this.service = new MachineService({
      storePath: opts.storePath,
      clock: this.clock,
      progress: (line) => this.say(`    ${line}`),
    });
  }

  private say(line: string): void {
    this.timed.say(line);
  }

  /** Brings the cluster to `spec`. @throws UpStepError naming the failed step, after undoing this run's work. */
  async up(spec: UpSpec): Promise<UpResult> {
    const steps: StepTiming[] = [];
    const undo: (() => Promise<void>)[] = [];
    const prior = await loadUpState(this.opts.storePath);
    if (prior && (prior.spec.prefix !== spec.prefix || prior.spec.subnet !== spec.subnet)) {
      throw new UpStepError(
        `this store holds a cluster on ${prior.spec.subnet} (prefix ${prior.spec.prefix}); run shoal down first to change them`,
      );
    }
    const state: UpState = prior ?? { version: 1, spec, kvIp: '', hosts: {} };
    state.spec = spec;
    const step = async <T>(name: string, fn: () => Promise<{ value: T; changed: boolean }>): Promise<T> => {
      const start = this.clock.now();
      this.say(`${name}...`);
      try {
        const { value, changed } = await fn();
        const ms = this.clock.now() - start;
        steps.push({ step: name, ms, changed });
        this.say(`${name}: ${changed ? 'done' : 'unchanged'} (${(ms / 1000).toFixed(1)}s)`);
        return value;
      } catch (err) {
        throw new UpStepError(`shoal up failed at "${name}": ${(err as Error).message}`, { cause: err });
      }
    };

    try {
      await step('Preflight checks', async () => {
        if (!isRoot()) {
          throw new UpStepError(
            'shoal up needs root: it creates network namespaces, a bridge and iptables rules (run shoal as root)',
          );
        }
        const need = ['dockerd', 'etcd', 'docker', ...(spec.registry ? [REGISTRY_BINARY] : [])];
        for (const bin of need) {
          if (
            !(bin.startsWith('/')
              ? await which(bin.split('/').pop() as string, '/usr/bin')
              : await which(bin))
          ) {
            throw new UpStepError(`${bin} is not installed`);
          }
        }
        return { value: undefined, changed: false };
      });

      // Recorded before anything is made, so `shoal down` finds a cluster whose `up` was killed at any point.
      await saveUpState(this.opts.storePath, state);
      const kvMade = await step(`KV host ${spec.kvHost}`, async () => {
        const made = await this.ensureMachine(kvHostRequest(spec), undefined, undo);
        return { value: made, changed: made };
      });
      const kvIp = String((await this.service.load(spec.kvHost)).record.Driver.IPAddress);
      state.kvIp = kvIp;
      await saveUpState(this.opts.storePath, state);

      await step(`KV cluster (${spec.kvMembers} etcd members on ${kvIp})`, async () => {
        const kv = kvCluster(this.opts.storePath, spec, kvIp, this.clock);
        if (kvMade) await rm(kv.spec.dataDir, { recursive: true, force: true });
        await this.ensureKvCert(spec, kvIp, kvMade);
        const before = (await kv.health(1000)).filter((m) => m.pid !== undefined).length;
        if (before === spec.kvMembers && (await kv.health()).every((m) => m.reachable)) {
          return { value: undefined, changed: false };
        }
        undo.push(() => kv.stop());
        await kv.start();
        return { value: undefined, changed: true };
      });

      if (spec.registry) {
        await step(`Registry mirror on ${kvIp}:5000 (seeded with busybox)`, async () => {
          const site = mirrorSite(this.opts.storePath, spec, kvIp);
          const started = await startMirror(site, this.clock);
          if (started) undo.push(() => stopMirror(site, this.clock));
          const seeded = await seedBusybox(site, this.clock);
          return { value: undefined, changed: started || seeded };
        });
      }

      for (const host of spec.hosts) {
        const req = hostRequest(spec, host, kvIp, this.opts.storePath);
        await step(`${host.role === 'manager' ? 'Manager' : 'Node'} ${host.name}`, async () => {
          const known = state.hosts[host.name];
          if (known === undefined) {
            // Listed (with no fingerprint yet) before it is made: `down` must find a host whose create was cut.
            state.hosts[host.name] = '';
            await saveUpState(this.opts.storePath, state);
          }
          const made = await this.ensureMachine(req, known || undefined, undo);
          state.hosts[host.name] = fingerprint(req);
          await saveUpState(this.opts.storePath, state);
          const restarted = made ? false : await this.ensureSwarmRunning(host.name, host.role === 'manager');
          return { value: undefined, changed: made || restarted };
        });
      }

      const declared = new Set(spec.hosts.map((h) => h.name));
      const extra = Object.keys(state.hosts).filter((n) => !declared.has(n));
      if (extra.length) {
        await step(`Removing hosts no longer declared (${extra.join(', ')})`, async () => {
          for (const name of extra) {
            await this.service.remove(name, { force: true });
            delete state.hosts[name];
            await saveUpState(this.opts.storePath, state);
          }
          return { value: undefined, changed: true };
        });
      }

      const primary = await step('Waiting for a primary manager that sees every node', async () => ({
        value: await this.settle(spec),
        changed: false,
      }));
      const totalMs = this.timed.elapsedMs();
      return { steps, changed: steps.some((s) => s.changed), kvIp, primary, totalMs };
    } catch (err) {
      this.say(`failed: ${(err as Error).message}`);
      this.say('removing what this run made...');
      for (const fn of undo.reverse()) await fn().catch(() => undefined);
      const left = await loadUpState(this.opts.storePath);
      if (left) {
        for (const name of Object.keys(left.hosts)) {
          if (!(await this.service.store.exists(name))) delete left.hosts[name];
        }
        if (!prior && !(await this.service.store.exists(spec.kvHost))) {
          await rm(upDir(this.opts.storePath), { recursive: true, force: true });
        } else {
          await saveUpState(this.opts.storePath, left);
        }
      }
      throw err;
    }
  }

  /**
   * Issues the etcd members' certificate (signed by the store's CA; serverAuth for clients, clientAuth for peers;
   * IP SAN of the KV host) when it is missing or the KV host was made anew.
   */
  private async ensureKvCert(spec: UpSpec, kvIp: string, renew: boolean): Promise<void> {
    const tls = kvTls(this.opts.storePath);
    if (!renew && (await stat(tls.certFile).catch(() => undefined))) return;
    await issueServerCert({
      caCertPath: tls.caFile,
      caKeyPath: join(this.opts.storePath, 'certs', 'ca-key.pem'),
      commonName: kvClusterName(spec),
      ips: [kvIp],
      clientAuth: true,
      outCert: tls.certFile,
      outKey: tls.keyFile,
      clock: this.clock,
    });
  }

  /**
   * Makes machine `req.name` exist and run. An existing one is started if stopped, and re-created if its namespaces
   * are gone or it was made with another request (`known` is the fingerprint it was made with). Returns whether it
   * changed anything; pushes the removal of a machine it created onto `undo`.
   */
  private async ensureMachine(
    req: CreateRequest,
    known: string | undefined,
    undo: (() => Promise<void>)[],
  ): Promise<boolean> {
    const svc = this.service;
    if (await svc.store.exists(req.name)) {
      const host = await svc.load(req.name).catch(() => undefined);
      const st = host ? await host.driver.state().catch(() => 'Error' as const) : 'Error';
      const same = known === undefined || known === fingerprint(req);
      if (st === 'Running' && same) return false;
      if (st === 'Stopped' && same) {
        this.say(`    starting ${req.name}`);
        await svc.start(req.name);
        return true;
      }
      this.say(`    re-creating ${req.name} (${same ? `state ${st}` : 'declared differently'})`);
      await svc.remove(req.name, { force: true });
    }
    undo.push(() => svc.remove(req.name, { force: true }));
    await svc.create(req);
    return true;
  }

  /**
   * Brings a host's swarm containers back: starts them when they exist but are stopped (e.g. after `docker kill`,
   * which the restart policy does not undo), re-creates them all when one was removed. Returns whether it did
   * anything.
   */
  private async ensureSwarmRunning(name: string, manager: boolean): Promise<boolean> {
    const host = await this.service.load(name);
    const stopped: string[] = [];
    for (const c of manager ? [MASTER_CONTAINER, AGENT_CONTAINER] : [AGENT_CONTAINER]) {
      // The state by listing, not by inspect's error text: an empty list means the container is gone.
      const r = await host.driver.exec([
        'docker',
        'ps',
        '-a',
        '--filter',
        `name=^/?${c}$`,
        '--format',
        '{{.State}}',
      ]);
      if (r.code !== 0) continue;
      const state = r.stdout.trim();
      if (state === '') {
        this.say(`    re-creating the swarm containers on ${name} (${c} is gone)`);
        await this.service.restartSwarm(name);
        return true;
      }
      if (state !== 'running') stopped.push(c);
    }
    for (const c of stopped) {
      this.say(`    starting ${c} on ${name}`);
      const s = await host.driver.exec(['docker', 'start', c]);
      if (s.code !== 0) throw new UpStepError(`cannot start ${c} on ${name}: ${s.stderr.trim()}`);
    }
    return stopped.length > 0;
  }

  /** Polls every manager's `/info` until one is primary with every node healthy and the others follow it. */
  private async settle(spec: UpSpec): Promise<string> {
    const managers = spec.hosts.filter((h) => h.role === 'manager');
    const want = spec.hosts.length;
    const deadline = this.clock.now() + (this.opts.settleTimeoutMs ?? 90_000);
    let last = '';
    for (;;) {
      const views: { name: string; addr: string; view?: ManagerView; error?: string }[] = [];
      for (const m of managers) {
        const h = await this.service.load(m.name);
        const ip = String(h.record.Driver.IPAddress);
        const addr = `${ip}:3376`;
        try {
          views.push({
            name: m.name,
            addr,
            view: await managerView(`tcp://${addr}`, this.service.clientTls(m.name), 3000),
          });
        } catch (err) {
          views.push({ name: m.name, addr, error: (err as Error).message });
        }
      }
      const primary = views.find((v) => v.view?.role === 'primary');
      const ok =
        primary?.view &&
        primary.view.nodes === want &&
        primary.view.healthy === want &&
        views.every((v) => v === primary || (v.view?.role === 'replica' && v.view.primary === primary.addr));
      if (ok && primary) return primary.addr;
      last = views
        .map((v) =>
          v.view
            ? `${v.name}: ${v.view.role}, ${v.view.healthy}/${v.view.nodes} healthy${v.view.primary ? `, primary ${v.view.primary}` : ''}`
            : `${v.name}: ${v.error}`,
        )
        .join('; ');
      if (this.clock.now() >= deadline) throw new UpStepError(`the cluster did not settle: ${last}`);
      await this.clock.sleep(500);
    }
  }
}
