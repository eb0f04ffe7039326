/**
 * Swarm containers on a host that does not share this machine's files (the `generic` driver): the certificates the
 * containers mount are uploaded over SSH to {@link REMOTE_SWARM_CERT_DIR}, and the docker commands (image import,
 * `run`) go from this machine's docker CLI to the host's engine over TLS, so the image tar never has to be on the
 * host first.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../host/run.js';
import type { ExecResult } from '../driver.js';
import type { SwarmOptionsRecord } from '../host-record.js';
import { SwarmSetupError } from './errors.js';
import { SHOAL_IMAGE } from './shoal-image.js';
import { ensureShoalImage, type HostExec, swarmContainerSpecs, swarmImage } from './swarm-containers.js';

/** Where a remote host keeps the certificates its swarm containers mount (and its engine's KV client pair). */
export const REMOTE_SWARM_CERT_DIR = '/var/lib/shoal/certs';

/** The files uploaded from the machine directory, with their modes. */
export const REMOTE_SWARM_FILES: readonly (readonly [string, string])[] = [
  ['ca.pem', '644'],
  ['server.pem', '644'],
  ['server-key.pem', '600'],
  ['cert.pem', '644'],
  ['key.pem', '600'],
];

/** Runs this machine's docker CLI against `tcp://ip:port` with the client certificate of `machineDir`. */
export function tlsDockerExec(ip: string, port: number, machineDir: string): HostExec {
  return (argv: readonly string[]): Promise<ExecResult> =>
    run(
      [
        'docker',
        '--tlsverify',
        `--tlscacert=${join(machineDir, 'ca.pem')}`,
        `--tlscert=${join(machineDir, 'cert.pem')}`,
        `--tlskey=${join(machineDir, 'key.pem')}`,
        '-H',
        `tcp://${ip}:${port}`,
        ...argv.slice(1),
      ],
      { allowFail: true },
    );
}

/** What {@link startRemoteSwarmContainers} needs to know about a host. */
export interface RemoteSwarmHost {
  readonly name: string;
  readonly ip: string;
  readonly enginePort: number;
  readonly machineDir: string;
  readonly swarm: SwarmOptionsRecord;
  /** Runs a shell script on the host as root, feeding `stdin`. */
  readonly shell: (script: string, stdin?: string) => Promise<ExecResult>;
}

/** Uploads the machine's certificates to {@link REMOTE_SWARM_CERT_DIR} on the host. */
export async function uploadSwarmCerts(host: RemoteSwarmHost): Promise<void> {
  const dir = REMOTE_SWARM_CERT_DIR;
  for (const [file, mode] of REMOTE_SWARM_FILES) {
    const r = await host.shell(
      `mkdir -p ${dir} && chmod 700 ${dir} && cat > ${dir}/${file}.tmp && chmod ${mode} ${dir}/${file}.tmp && mv ${dir}/${file}.tmp ${dir}/${file}`,
      await readFile(join(host.machineDir, file), 'utf8'),
    );
    if (r.code !== 0) throw new SwarmSetupError(`uploading ${file} to ${host.name}: ${r.stderr.trim()}`);
  }
}

/** (Re)creates the host's swarm containers, as `startSwarmContainers` does for a local host. Idempotent. */
export async function startRemoteSwarmContainers(
  host: RemoteSwarmHost,
  opts: { cacheDir: string; progress?: (line: string) => void },
): Promise<void> {
  const specs = swarmContainerSpecs(host.swarm, host.ip, host.enginePort, REMOTE_SWARM_CERT_DIR);
  if (specs.length === 0) return;
  const progress = opts.progress ?? (() => undefined);
  await uploadSwarmCerts(host);
  const exec = tlsDockerExec(host.ip, host.enginePort, host.machineDir);
  if (swarmImage(host.swarm) === SHOAL_IMAGE) {
    progress(`Loading the ${SHOAL_IMAGE} image on ${host.name}`);
    await ensureShoalImage(exec, opts.cacheDir);
  }
  for (const spec of specs) {
    progress(`Starting ${spec.name} on ${host.name}`);
    await exec(['docker', 'rm', '-f', spec.name]);
    const r = await exec(['docker', 'run', '-d', '--name', spec.name, ...spec.args]);
    if (r.code !== 0) throw new SwarmSetupError(`starting ${spec.name}: ${(r.stderr || r.stdout).trim()}`);
  }
}
