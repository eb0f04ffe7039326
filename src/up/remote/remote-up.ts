/**
 * `shoal up -f hosts.json`: the cluster on existing machines over SSH. Steps: preflight of every host (nothing is
 * changed when one fails) → one etcd member per `kv` host, all started, then waited for → on every `manager` and
 * `node` host, `machine create -d generic --swarm...` (managers first) → hosts no longer declared taken down → wait
 * for a primary that sees every node. A second run finds what runs and changes nothing.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { which } from '../../host/preflight.js';
import { issueServerCert } from '../../machine/certs/index.js';
import { MachineService } from '../../machine/machine-service.js';
import { tlsDockerExec } from '../../machine/swarm/remote-swarm.js';
import { AGENT_CONTAINER, MASTER_CONTAINER } from '../../machine/swarm/swarm-containers.js';
import { type Clock, systemClock } from '../../util/clock.js';
import { UpStepError } from '../errors.js';
import { type ManagerView, managerView } from '../manager-info.js';
import { TimedProgress } from '../timed-progress.js';
import { fingerprint } from '../topology.js';
import type { StepTiming } from '../up.js';
import { type ClientPem, ensureMember, memberHealthy } from './etcd-member.js';
import type { RemoteSpec } from './hosts-file.js';
import { type HostPlan, MANAGER_PORT, REMOTE_CERT_DIR, type RemotePlan, remotePlan } from './plan.js';
import { formatProblems, type HostFacts, probeHost } from './preflight.js';
import { takeDownHost } from './remote-down.js';
import { RemoteShell } from './remote-shell.js';
import { loadRemoteState, type RemoteState, saveRemoteState } from './remote-state.js';

/** Result of {@link RemoteUp.up}. */
export interface RemoteUpResult {
  readonly steps: readonly StepTiming[];
  readonly changed: boolean;
  /** The primary manager's address. */
  readonly primary: string;
  readonly discovery: string;
  readonly totalMs: number;
}

/** Options of {@link RemoteUp}. */
export interface RemoteUpOptions {
  readonly storePath: string;
  readonly progress?: (line: string) => void;
  readonly clock?: Clock;
  /** How long the final wait for a healthy cluster may take (default 120 s). */
  readonly settleTimeoutMs?: number;
}

/** Builds and repairs a cluster of SSH hosts; see the module comment. */
export class RemoteUp {
  readonly service: MachineService;
  private readonly clock: Clock;
  private readonly timed: TimedProgress;

  constructor(private readonly opts: RemoteUpOptions) {
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

  /** Brings the hosts to `spec`. @throws UpStepError naming the step (and host). */
  async up(spec: RemoteSpec): Promise<RemoteUpResult> {
    const plan = remotePlan(spec);
    const steps: StepTiming[] = [];
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
    for (const w of spec.warnings) this.say(`warning: ${w}`);
    const prior = await loadRemoteState(this.opts.storePath);
    if (prior && prior.initialCluster !== plan.initialCluster) {
      throw new UpStepError(
        `the kv hosts differ from the cluster this store made from ${prior.file}; run shoal down first to change them`,
      );
    }
    const state: RemoteState = prior ?? {
      version: 1,
      file: spec.file,
      initialCluster: plan.initialCluster,
      hosts: {},
    };
    state.file = spec.file;

    const facts = await step(`Preflight of ${plan.hosts.length} hosts over SSH`, async () => {
      const results = await Promise.all(
        plan.hosts.map((h) => probeHost(h, state.hosts[h.host.name] !== undefined, this.clock)),
      );
      const problems = formatProblems(results);
      if (plan.hosts.some((h) => h.member) && !(await which('etcd'))) {
        problems.push('this machine has no etcd binary to ship to the kv hosts (install etcd-server)');
      }
      if (problems.length) throw new UpStepError(`\n  ${problems.join('\n  ')}`);
      return {
        value: new Map(results.map((r) => [r.host.name, r.facts as HostFacts])),
        changed: false,
      };
    });

    const certs = await this.service.ensureCerts();
    const pem: ClientPem = {
      ca: await readFile(certs.caCertPath, 'utf8'),
      cert: await readFile(certs.clientCertPath, 'utf8'),
      key: await readFile(certs.clientKeyPath, 'utf8'),
    };
    const members = plan.hosts.filter((h) => h.member);
    await step(
      `KV cluster (${members.length} etcd members: ${members.map((h) => h.host.name).join(', ')})`,
      async () => {
        const localEtcd = (await which('etcd')) as string;
        const changed = await Promise.all(
          members.map(async (h) => {
            const tls = await this.memberCert(h, certs.caCertPath, certs.caKeyPath);
            const made = await ensureMember(
              new RemoteShell(h.host),
              facts.get(h.host.name) as HostFacts,
              plan,
              h.member!,
              tls,
              localEtcd,
            );
            state.hosts[h.host.name] = { ...(state.hosts[h.host.name] ?? {}), host: h.host, member: true };
            return made;
          }),
        );
        await saveRemoteState(this.opts.storePath, state);
        await this.waitKv(plan, pem);
        return { value: undefined, changed: changed.some(Boolean) };
      },
    );

    const engines = [
      ...plan.hosts.filter((h) => h.machine && h.host.roles.includes('manager')),
      ...plan.hosts.filter((h) => h.machine && !h.host.roles.includes('manager')),
    ];
    for (const h of engines) {
      const manager = h.host.roles.includes('manager');
      await step(`${manager ? 'Manager' : 'Node'} ${h.host.name} (${h.host.ip})`, async () => {
        const shell = new RemoteShell(h.host);
        const prev = state.hosts[h.host.name];
        state.hosts[h.host.name] = {
          host: h.host,
          member: prev?.member ?? false,
          ...(prev?.machine ? { machine: prev.machine } : {}),
        };
        await saveRemoteState(this.opts.storePath, state);
        for (const [file, text, mode] of [
          ['ca.pem', pem.ca, '644'],
          ['cert.pem', pem.cert, '644'],
          ['key.pem', pem.key, '600'],
        ] as const) {
          await shell.writeFile(`${REMOTE_CERT_DIR}/${file}`, text, mode);
        }
        const made = await this.ensureMachine(h, prev?.machine);
        (state.hosts[h.host.name] as { machine?: string }).machine = fingerprint(h.machine!);
        await saveRemoteState(this.opts.storePath, state);
        const restarted = made ? false : await this.ensureSwarmRunning(h.host.name, manager);
        return { value: undefined, changed: made || restarted };
      });
    }

    const declared = new Set(plan.hosts.map((h) => h.host.name));
    const extra = Object.keys(state.hosts).filter((n) => !declared.has(n));
    if (extra.length) {
      await step(`Taking down hosts no longer declared (${extra.join(', ')})`, async () => {
        for (const name of extra) {
          await takeDownHost(
            this.service,
            state.hosts[name] as RemoteState['hosts'][string],
            this.say.bind(this),
          );
          delete state.hosts[name];
          await saveRemoteState(this.opts.storePath, state);
        }
        return { value: undefined, changed: true };
      });
    }

    const primary = await step('Waiting for a primary manager that sees every node', async () => ({
      value: await this.settle(plan),
      changed: false,
    }));
    return {
      steps,
      changed: steps.some((s) => s.changed),
      primary,
      discovery: plan.discovery,
      totalMs: this.timed.elapsedMs(),
    };
  }

  /** The member's certificate (IP SAN of its host, server + client auth), issued once under `up/remote/`. */
  private async memberCert(h: HostPlan, caCertPath: string, caKeyPath: string) {
    const dir = join(this.opts.storePath, 'up', 'remote', h.host.name);
    const cert = join(dir, 'member.pem');
    const key = join(dir, 'member-key.pem');
    const have = await readFile(cert, 'utf8').catch(() => undefined);
    if (!have) {
      await issueServerCert({
        caCertPath,
        caKeyPath,
        commonName: `etcd-${h.host.name}`,
        ips: [h.host.ip],
        clientAuth: true,
        outCert: cert,
        outKey: key,
        clock: this.clock,
      });
    }
    return { ca: caCertPath, cert, key };
  }

  /** Waits until every member answers healthy (a leader exists). */
  private async waitKv(plan: RemotePlan, pem: ClientPem, timeoutMs = 60_000): Promise<void> {
    const deadline = this.clock.now() + timeoutMs;
    const members = plan.hosts.flatMap((h) => (h.member ? [h.member] : []));
    for (;;) {
      const ok = await Promise.all(members.map((m) => memberHealthy(m, pem)));
      if (ok.every(Boolean)) return;
      if (this.clock.now() >= deadline) {
        const down = members.filter((_, i) => !ok[i]).map((m) => `${m.name} (${m.clientUrl})`);
        throw new UpStepError(`etcd members not healthy after ${timeoutMs / 1000} s: ${down.join(', ')}`);
      }
      await this.clock.sleep(500);
    }
  }

  /**
   * Makes the engine host exist with the plan's request: kept when recorded with the same request and its engine
   * answers; otherwise (re-)created. Returns whether it changed anything.
   */
  private async ensureMachine(h: HostPlan, known: string | undefined): Promise<boolean> {
    const req = h.machine!;
    const svc = this.service;
    if (await svc.store.exists(req.name)) {
      const same = known === undefined || known === fingerprint(req);
      const engineUp = await tlsDockerExec(
        h.host.ip,
        2376,
        svc.store.machineDir(req.name),
      )(['docker', 'version']).then((r) => r.code === 0);
      if (same && engineUp) return false;
      this.say(
        `    re-creating ${req.name} (${same ? 'its engine does not answer' : 'declared differently'})`,
      );
      await svc.remove(req.name, { force: true });
    }
    await svc.create(req);
    return true;
  }

  /** Starts stopped swarm containers, re-creates them when one is gone. Returns whether it did anything. */
  private async ensureSwarmRunning(name: string, manager: boolean): Promise<boolean> {
    const host = await this.service.load(name);
    const exec = tlsDockerExec(String(host.record.Driver.IPAddress), 2376, host.machineDir);
    const stopped: string[] = [];
    for (const c of manager ? [MASTER_CONTAINER, AGENT_CONTAINER] : [AGENT_CONTAINER]) {
      const r = await exec(['docker', 'ps', '-a', '--filter', `name=^/?${c}$`, '--format', '{{.State}}']);
      if (r.code !== 0) continue;
      const st = r.stdout.trim();
      if (st === '') {
        this.say(`    re-creating the swarm containers on ${name} (${c} is gone)`);
        await this.service.restartSwarm(name);
        return true;
      }
      if (st !== 'running') stopped.push(c);
    }
    for (const c of stopped) {
      this.say(`    starting ${c} on ${name}`);
      const s = await exec(['docker', 'start', c]);
      if (s.code !== 0) throw new UpStepError(`cannot start ${c} on ${name}: ${s.stderr.trim()}`);
    }
    return stopped.length > 0;
  }

  /** Polls every manager's `/info` until one is primary with every node healthy and the others follow it. */
  private async settle(plan: RemotePlan): Promise<string> {
    const managers = plan.hosts.filter((h) => h.machine && h.host.roles.includes('manager'));
    const want = plan.hosts.filter((h) => h.machine).length;
    const deadline = this.clock.now() + (this.opts.settleTimeoutMs ?? 120_000);
    let last = '';
    for (;;) {
      const views: { name: string; addr: string; view?: ManagerView; error?: string }[] = [];
      for (const m of managers) {
        const addr = `${m.host.ip}:${MANAGER_PORT}`;
        try {
          const view = await managerView(`tcp://${addr}`, this.service.clientTls(m.host.name), 3000);
          views.push({ name: m.host.name, addr, view });
        } catch (err) {
          views.push({ name: m.host.name, addr, error: (err as Error).message });
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
            ? `${v.name}: ${v.view.role}, ${v.view.healthy}/${v.view.nodes} healthy`
            : `${v.name}: ${v.error}`,
        )
        .join('; ');
      if (this.clock.now() >= deadline) throw new UpStepError(`the cluster did not settle: ${last}`);
      await this.clock.sleep(500);
    }
  }
}
