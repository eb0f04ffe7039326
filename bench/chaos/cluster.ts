/**
 * The nemesis suite's cluster: a `shoal up` cluster in its own store, prefix and subnet, and the handles the faults
 * and checks need (addresses, the store's client certificate, PIDs of managers, agents, engines, the KV members).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { vethName } from '../../src/host/names.js';
import type { KvCluster } from '../../src/kv/index.js';
import { AGENT_CONTAINER, MASTER_CONTAINER } from '../../src/machine/swarm/swarm-containers.js';
import {
  kvCluster,
  loadUpState,
  type ManagerView,
  parseManagerInfo,
  type UpState,
} from '../../src/up/index.js';
import { type Answer, type ClientTlsFiles, call, callJson, type Target } from './http.js';

/** Prefix of the suite's namespaces, bridge and veths, and its subnet: used by no test. */
export const PREFIX = 'chaos';
export const SUBNET = '10.250.0.0/24';
/** The built CLI (the suite runs from `dist/.bench/bench/chaos/`). */
export const CLI = resolve(import.meta.dirname, '../../../../dist/cli/main.js');
/** Engine and manager ports of a `shoal up` host. */
export const ENGINE_PORT = 2376;
export const MANAGER_PORT = 3376;

/** Result of a command. */
export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs argv to completion (never throws); `onLine` sees stdout lines as they come. */
export function run(argv: readonly string[], env: Record<string, string> = {}, onLine?: (l: string) => void) {
  return new Promise<Ran>((done) => {
    const child = spawn(argv[0] as string, argv.slice(1), {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      partial += b.toString();
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) onLine?.(l);
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.on('error', (e) => done({ code: 127, stdout, stderr: e.message }));
    child.on('close', (code) => done({ code: code ?? 1, stdout, stderr }));
  });
}

/** `shoal <args>` with the suite's store. */
export function shoal(store: string, args: readonly string[], onLine?: (l: string) => void): Promise<Ran> {
  return run(['node', CLI, ...args], { SHOAL_STORAGE_PATH: store }, onLine);
}

/** One engine host of the cluster. */
export interface ChaosHost {
  readonly name: string;
  readonly ip: string;
  readonly manager: boolean;
}

/** A booted cluster; see the module comment. */
export class ChaosCluster {
  private constructor(
    readonly store: string,
    readonly state: UpState,
    readonly hosts: readonly ChaosHost[],
    readonly tls: ClientTlsFiles,
  ) {}

  /** Reads the cluster `shoal up` made in `store`. */
  static async open(store: string): Promise<ChaosCluster> {
    const state = await loadUpState(store);
    if (!state) throw new Error(`no cluster in ${store}`);
    const hosts: ChaosHost[] = [];
    for (const h of state.spec.hosts) {
      const config = JSON.parse(await readFile(join(store, 'machines', h.name, 'config.json'), 'utf8')) as {
        Driver: { IPAddress: string };
      };
      hosts.push({ name: h.name, ip: config.Driver.IPAddress, manager: h.role === 'manager' });
    }
    const certs = join(store, 'certs');
    const [ca, cert, key] = await Promise.all(
      ['ca.pem', 'cert.pem', 'key.pem'].map((f) => readFile(join(certs, f))),
    );
    return new ChaosCluster(store, state, hosts, { ca: ca!, cert: cert!, key: key! });
  }

  get managers(): ChaosHost[] {
    return this.hosts.filter((h) => h.manager);
  }

  host(name: string): ChaosHost {
    const h = this.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`no host ${name}`);
    return h;
  }

  engine(name: string): Target {
    return { ip: this.host(name).ip, port: ENGINE_PORT };
  }

  manager(name: string): Target {
    return { ip: this.host(name).ip, port: MANAGER_PORT };
  }

  /** `shoal <args>` on this cluster's store. */
  shoal(args: readonly string[]): Promise<Ran> {
    return shoal(this.store, args);
  }

  call(to: Target, method: string, path: string, body?: unknown, timeoutMs?: number): Promise<Answer> {
    return call(this.tls, to, method, path, body, timeoutMs);
  }

  json<T>(to: Target, method: string, path: string, body?: unknown, timeoutMs?: number): Promise<T> {
    return callJson<T>(this.tls, to, method, path, body, timeoutMs);
  }

  /** A manager's `/info` as shoal reads it, or undefined when it does not answer 200 within `timeoutMs`. */
  async view(manager: string, timeoutMs = 3000): Promise<ManagerView | undefined> {
    const a = await this.call(this.manager(manager), 'GET', '/info', undefined, timeoutMs);
    return a.status === 200 ? parseManagerInfo(a.body) : undefined;
  }

  /** The manager host answering `Role: primary`, when exactly one does. */
  async primary(): Promise<string | undefined> {
    const views = await Promise.all(
      this.managers.map(async (m) => [m.name, await this.view(m.name)] as const),
    );
    const primaries = views.filter(([, v]) => v?.role === 'primary');
    return primaries.length === 1 ? primaries[0]?.[0] : undefined;
  }

  /** The host PID of a container's main process on `host`'s engine (undefined unless running). */
  async containerPid(host: string, container: string): Promise<number | undefined> {
    const a = await this.call(this.engine(host), 'GET', `/containers/${container}/json`, undefined, 5000);
    if (a.status !== 200) return undefined;
    const pid = (JSON.parse(a.body) as { State?: { Pid?: number; Running?: boolean } }).State;
    return pid?.Running && pid.Pid ? pid.Pid : undefined;
  }

  /** PID of the manager process on a manager host. */
  managerPid(host: string): Promise<number | undefined> {
    return this.containerPid(host, MASTER_CONTAINER);
  }

  /** PID of the agent process on a host. */
  agentPid(host: string): Promise<number | undefined> {
    return this.containerPid(host, AGENT_CONTAINER);
  }

  /** PID of a host's dockerd, from its pid file, when that process is a dockerd. */
  async dockerdPid(host: string): Promise<number | undefined> {
    const text = await readFile(join(this.store, 'machines', host, 'docker.pid'), 'utf8').catch(() => '');
    const pid = Number(text.trim());
    if (!pid) return undefined;
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    return cmd.includes('dockerd') ? pid : undefined;
  }

  /** The KV cluster (members by index: 0, 1, 2). */
  kv(): KvCluster {
    return kvCluster(this.store, this.state.spec, this.state.kvIp);
  }

  /** Root-namespace end of a host's veth pair (its link to the bridge). */
  veth(host: string): string {
    return vethName(this.state.spec.prefix, this.host(host).ip);
  }

  /** The last lines of a swarm container's log on `host` (stdout and stderr), for state dumps. */
  async swarmLog(host: string, container: string, lines: number | 'all' = 60): Promise<string> {
    const a = await this.call(
      this.engine(host),
      'GET',
      `/containers/${container}/logs?stdout=1&stderr=1&tail=${lines}`,
      undefined,
      5000,
    );
    // The log is multiplexed: drop the 8-byte frame headers' control bytes.
    const printable = (ch: string) => ch >= ' ' || ch === '\n' || ch === '\t';
    return a.status === 200 ? [...a.body].filter(printable).join('') : `(${a.status || a.error})`;
  }

  /** Names of the swarm's own containers, present on every engine. */
  static readonly SWARM_CONTAINERS = new Set([AGENT_CONTAINER, MASTER_CONTAINER]);
}
