/**
 * The swarm containers `shoal machine create --swarm [--swarm-master]` starts on a host (docker-machine's
 * `swarm-agent` / `swarm-agent-master`, docs/behaviour/machine.md#swarm-containers): `shoal-agent` runs
 * `shoal join`, `shoal-agent-master` runs `shoal manage`. Both use restart policy `always` (the engine
 * restarts them when they die and when it starts again after `machine stop/start`), host networking (they see
 * the host's `eth1` address), and both read TLS files from a read-only bind mount of `<machine dir>/swarm` (the
 * CA, the host's server certificate, and the client certificate that `--discovery-opt kv.*` can name).
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecResult } from '../driver.js';
import type { SwarmOptionsRecord } from '../host-record.js';
import { SwarmSetupError } from './errors.js';
import { BUILD_LABEL, ensureImageTar, importChanges, SHOAL_IMAGE } from './shoal-image.js';

/** Name of the agent container. */
export const AGENT_CONTAINER = 'shoal-agent';
/** Name of the manager container. */
export const MASTER_CONTAINER = 'shoal-agent-master';
/** Where the manager container sees its TLS files. */
export const CONTAINER_CERT_DIR = '/etc/shoal/certs';
/** docker-machine's default `--swarm-image`; shoal runs its own image in its place. */
export const CLASSIC_SWARM_IMAGE = 'swarm:latest';
/** `--replication-ttl` given to replicated managers when `--swarm-opt` sets none: failover in about 3-4 s. */
export const MACHINE_REPLICATION_TTL = '3s';

/** One container to run: its name and the `docker run` arguments after `run -d`. */
export interface SwarmContainerSpec {
  readonly name: string;
  readonly args: readonly string[];
}

/** `k=v` / `k` → `--k=v` / `--k` (docker-machine's `--swarm-opt` translation). */
export function optFlags(opts: readonly string[]): string[] {
  return opts.map((o) => `--${o.replace(/^-+/, '')}`);
}

/** The image a host's swarm containers run: `shoal:<version>` unless `--swarm-image` named another. */
export function swarmImage(so: SwarmOptionsRecord): string {
  return !so.Image || so.Image === CLASSIC_SWARM_IMAGE ? SHOAL_IMAGE : so.Image;
}

/**
 * The containers for a host's swarm options (none when it is not in a swarm). `ip` is the host's address,
 * `enginePort` its engine's TLS port, `certDir` the host folder bind-mounted into the manager.
 */
export function swarmContainerSpecs(
  so: SwarmOptionsRecord,
  ip: string,
  enginePort: number,
  certDir: string,
): SwarmContainerSpec[] {
  if (!so.IsSwarm) return [];
  const image = swarmImage(so);
  const base = ['--restart', 'always', '--net', 'host', '--label', 'org.shoal.swarm=1'];
  const out: SwarmContainerSpec[] = [];
  if (so.Master) {
    const listen = so.Host || 'tcp://0.0.0.0:3376';
    const port = /:(\d+)$/.exec(listen)?.[1] ?? '3376';
    const opts = optFlags(so.ArbitraryFlags ?? []);
    if (opts.includes('--replication') && !opts.some((o) => o.startsWith('--replication-ttl'))) {
      opts.push(`--replication-ttl=${MACHINE_REPLICATION_TTL}`);
    }
    out.push({
      name: MASTER_CONTAINER,
      args: [
        ...base,
        '-v',
        `${certDir}:${CONTAINER_CERT_DIR}:ro`,
        image,
        'manage',
        ...(so.IsExperimental ? ['--experimental'] : []),
        '--tlsverify',
        `--tlscacert=${CONTAINER_CERT_DIR}/ca.pem`,
        `--tlscert=${CONTAINER_CERT_DIR}/server.pem`,
        `--tlskey=${CONTAINER_CERT_DIR}/server-key.pem`,
        '-H',
        listen,
        '--strategy',
        so.Strategy || 'spread',
        '--advertise',
        `${ip}:${port}`,
        ...opts,
        so.Discovery,
      ],
    });
  }
  out.push({
    name: AGENT_CONTAINER,
    args: [
      ...base,
      '-v',
      `${certDir}:${CONTAINER_CERT_DIR}:ro`,
      image,
      'join',
      '--advertise',
      so.Address || `${ip}:${enginePort}`,
      ...optFlags(so.ArbitraryJoinFlags ?? []),
      so.Discovery,
    ],
  });
  return out;
}

/** Runs a docker CLI command on the host (its own engine). */
export type HostExec = (argv: readonly string[]) => Promise<ExecResult>;

/** What {@link startSwarmContainers} needs to know about a host. */
export interface SwarmHost {
  readonly name: string;
  readonly ip: string;
  readonly enginePort: number;
  readonly machineDir: string;
  readonly swarm: SwarmOptionsRecord;
  readonly exec: HostExec;
}

async function check(exec: HostExec, argv: readonly string[], what: string): Promise<ExecResult> {
  const r = await exec(argv);
  if (r.code !== 0) throw new SwarmSetupError(`${what}: ${(r.stderr || r.stdout).trim()}`);
  return r;
}

/**
 * Makes `shoal:<version>` exist on the host with the current build id: builds (or reuses) the cached tar and
 * `docker import`s it only when the host's image is absent or from another build.
 */
export async function ensureShoalImage(exec: HostExec, cacheDir: string): Promise<void> {
  const tar = await ensureImageTar(cacheDir);
  const have = await exec([
    'docker',
    'image',
    'inspect',
    '-f',
    `{{index .Config.Labels "${BUILD_LABEL}"}}`,
    SHOAL_IMAGE,
  ]);
  if (have.code === 0 && have.stdout.trim() === tar.buildId) return;
  await check(
    exec,
    ['docker', 'import', ...importChanges(tar.buildId), tar.path, SHOAL_IMAGE],
    'docker import of the shoal image',
  );
}

/**
 * (Re)creates the host's swarm containers: copies the CA, server and client certificates into `<machine dir>/swarm`,
 * ensures the image, removes containers of the same names, and runs the new ones. Idempotent.
 */
export async function startSwarmContainers(
  host: SwarmHost,
  opts: { cacheDir: string; progress?: (line: string) => void },
): Promise<void> {
  const certDir = join(host.machineDir, 'swarm');
  const specs = swarmContainerSpecs(host.swarm, host.ip, host.enginePort, certDir);
  if (specs.length === 0) return;
  const progress = opts.progress ?? (() => undefined);
  await mkdir(certDir, { recursive: true, mode: 0o700 });
  for (const f of ['ca.pem', 'server.pem', 'server-key.pem', 'cert.pem', 'key.pem']) {
    await copyFile(join(host.machineDir, f), join(certDir, f));
  }
  if (swarmImage(host.swarm) === SHOAL_IMAGE) {
    progress(`Loading the ${SHOAL_IMAGE} image on ${host.name}`);
    await ensureShoalImage(host.exec, opts.cacheDir);
  }
  for (const spec of specs) {
    progress(`Starting ${spec.name} on ${host.name}`);
    await host.exec(['docker', 'rm', '-f', spec.name]);
    await check(
      host.exec,
      ['docker', 'run', '-d', '--name', spec.name, ...spec.args],
      `starting ${spec.name}`,
    );
  }
}
