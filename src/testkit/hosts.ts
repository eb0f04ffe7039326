/**
 * Real Docker hosts for integration tests: `bootTestHosts` creates netns machines one after another through
 * {@link MachineService} (the same code path as `shoal machine create -d netns`) in a temporary store, and hands
 * back their addresses, TLS environment and helpers. Every namespace, bridge and veth carries the caller's prefix,
 * so suites with different prefixes never collide; leftovers of an earlier crashed run with the same prefix are
 * swept before booting. Always call `dispose()` (in `afterAll`), which is safe after failures and when repeated.
 *
 * ```ts
 * let th: TestHosts;
 * beforeAll(async () => {
 *   th = await bootTestHosts({ prefix: 'abc', subnet: '10.240.0.0/24', hosts: [{ name: 'abc-1' }, { name: 'abc-2' }] });
 *   for (const h of th.hosts) await th.loadBusybox(h);
 * });
 * afterAll(() => th?.dispose());
 * it('runs', async () => expect((await th.docker(th.hosts[0]!, ['run', '--rm', 'busybox', 'true'])).code).toBe(0));
 * ```
 *
 * Needs root. Hosts get `.2`, `.3`, ... of the subnet in the order given; the bridge is `.1` (reachable from the
 * test process). Host names are also their hostnames and engine names; namespaces are `<prefix>-<name>`.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUSYBOX_IMAGE, importBusybox } from '../images/busybox.js';
import { netnsDriverFactory, sweepPrefix } from '../machine/drivers/netns/index.js';
import { MachineService } from '../machine/machine-service.js';

/** One host to boot. */
export interface TestHostSpec {
  /** Machine name = the engine's hostname and `docker info` Name. */
  name: string;
  /** `--engine-label` values (`provider=netns` is always added). */
  labels?: string[];
  /** `--engine-opt` values, e.g. `cluster-store=etcd://10.232.0.9:2379`, `cluster-advertise=eth1:2376`. */
  engineOpts?: string[];
  /** `--engine-registry-mirror` URLs. */
  registryMirrors?: string[];
}

/** Result of a command. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A booted host. */
export interface TestHost {
  name: string;
  ip: string;
  /** `tcp://IP:2376`. */
  url: string;
  /** Holds ca.pem cert.pem key.pem (use as DOCKER_CERT_PATH). */
  machineDir: string;
  /** DOCKER_HOST, DOCKER_TLS_VERIFY=1, DOCKER_CERT_PATH. */
  env: Record<string, string>;
  /** Runs argv inside the host's namespaces (DOCKER_HOST there points at the host's own engine socket). */
  exec(argv: string[]): Promise<RunResult>;
  /** Stops the engine gracefully (SIGTERM, containers kept). */
  stopEngine(): Promise<void>;
  /** Starts the engine again and waits until it answers over TLS. */
  startEngine(): Promise<void>;
  /** SIGKILLs the engine and every process of the host (a power cut). */
  killEngine(): Promise<void>;
}

/** A booted set of hosts. */
export interface TestHosts {
  storePath: string;
  /** ca.pem ca-key.pem cert.pem key.pem of the store. */
  certDir: string;
  hosts: TestHost[];
  /** The MachineService over the temporary store (for tests of machine behaviour). */
  service: MachineService;
  /** Runs a docker CLI against `host` with its TLS environment. Default CLI: the one first in PATH. */
  docker(
    host: TestHost,
    args: string[],
    opts?: { cli?: '/usr/bin/docker' | '/usr/local/bin/docker'; input?: string },
  ): Promise<RunResult>;
  /** Makes `busybox:latest` (CMD sh) exist on the host's engine (docker import of busybox-static). */
  loadBusybox(host: TestHost): Promise<void>;
  /** Removes every host, the bridge, rules and the store. Safe to call twice and after a failed boot. */
  dispose(): Promise<void>;
}

/** The docker CLI used when none is given: 28.x at /usr/local/bin when present, else `docker` from PATH. */
export const DEFAULT_DOCKER_CLI = existsSync('/usr/local/bin/docker') ? '/usr/local/bin/docker' : 'docker';

/** Runs `argv` with extra environment and optional stdin; never throws for a non-zero exit. */
export function runCommand(
  argv: readonly string[],
  opts: { env?: Record<string, string>; input?: string | Uint8Array } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => resolve({ code: 127, stdout, stderr: e.message }));
    child.on('close', (code) => resolve({ code: code ?? 128, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * Boots `hosts` as netns machines on `subnet` (e.g. `10.232.0.0/24`) with names prefixed by `prefix` (1-6 lower-case
 * letters/digits). On failure everything made so far is removed and the error rethrown.
 */
export async function bootTestHosts(opts: {
  prefix: string;
  subnet: string;
  hosts: TestHostSpec[];
}): Promise<TestHosts> {
  await sweepPrefix(opts.prefix);
  const storePath = await mkdtemp(join(tmpdir(), `shoal-${opts.prefix}-`));
  const service = new MachineService({ storePath, drivers: new Map([['netns', netnsDriverFactory]]) });
  const hosts: TestHost[] = [];
  let disposed = false;

  const dispose = async (): Promise<void> => {
    if (disposed) return;
    disposed = true;
    const errors: unknown[] = [];
    for (const name of await service.store.list().catch(() => [] as string[])) {
      await service.remove(name, { force: true }).catch((e: unknown) => errors.push(e));
    }
    await sweepPrefix(opts.prefix).catch((e: unknown) => errors.push(e));
    await rm(storePath, { recursive: true, force: true });
    if (errors.length) throw new AggregateError(errors, 'test host teardown had errors');
  };

  try {
    for (const spec of opts.hosts) {
      const rec = await service.create({
        name: spec.name,
        driver: 'netns',
        driverFlags: { 'netns-subnet': opts.subnet, 'netns-prefix': opts.prefix },
        engine: {
          labels: spec.labels ?? [],
          opts: spec.engineOpts ?? [],
          registryMirror: spec.registryMirrors ?? [],
        },
      });
      const ip = String(rec.Driver.IPAddress);
      const machineDir = service.store.machineDir(spec.name);
      const url = `tcp://${ip}:2376`;
      const name = spec.name;
      hosts.push({
        name,
        ip,
        url,
        machineDir,
        env: { DOCKER_HOST: url, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: machineDir },
        exec: async (argv) => {
          const r = await (await service.load(name)).driver.exec(argv);
          return { code: r.code, stdout: r.stdout, stderr: r.stderr };
        },
        stopEngine: () => service.stop(name),
        startEngine: () => service.start(name),
        killEngine: () => service.kill(name),
      });
    }
  } catch (err) {
    await dispose().catch(() => undefined);
    throw err;
  }

  const docker: TestHosts['docker'] = (host, args, o = {}) =>
    runCommand([o.cli ?? DEFAULT_DOCKER_CLI, ...args], { env: host.env, input: o.input });

  return {
    storePath,
    certDir: service.certDir,
    hosts,
    service,
    docker,
    loadBusybox: async (host) => {
      if ((await docker(host, ['image', 'inspect', BUSYBOX_IMAGE])).code === 0) return;
      await importBusybox(host.env, { cli: DEFAULT_DOCKER_CLI });
    },
    dispose,
  };
}
