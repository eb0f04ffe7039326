/**
 * The cluster's local registry (the tutorial's `--engine-registry-mirror`): Debian's `docker-registry` (distribution
 * 2.x) run as a detached process in the KV host's namespaces, storing under the up folder, and seeded with a
 * `library/busybox:latest` image made from busybox-static and pushed over the registry's HTTP API (no engine needed).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { busyboxRootfsTar } from '../images/busybox.js';
import { nsenterArgv } from '../machine/drivers/netns/namespaces.js';
import { isAlive, processArgv, signal, waitGone } from '../machine/drivers/netns/processes.js';
import { type Clock, systemClock } from '../util/clock.js';
import { UpStepError } from './errors.js';

/** Debian's registry binary. */
export const REGISTRY_BINARY = '/usr/bin/docker-registry';
/** Port the registry listens on. */
export const REGISTRY_PORT = 5000;

/** Where and how one registry runs. */
export interface RegistrySite {
  /** Folder for config.yml, data/, registry.pid, registry.log. */
  readonly dir: string;
  /** Listen address (the KV host's IP). */
  readonly ip: string;
  /** Namespace set to run in (netns machine); omitted = this namespace. */
  readonly ns?: string;
  readonly binary?: string;
}

const configPath = (s: RegistrySite): string => join(s.dir, 'config.yml');
const pidPath = (s: RegistrySite): string => join(s.dir, 'registry.pid');

/** The registry's `host:port`. */
export function registryAddress(s: RegistrySite): string {
  return `${s.ip}:${REGISTRY_PORT}`;
}

/** The registry's config file: filesystem storage under `dir/data`, deletes on, listening on `ip:5000`. */
export function registryConfig(s: RegistrySite): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(s.dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${registryAddress(s)}`,
    '',
  ].join('\n');
}

/** The running registry's PID, or undefined (a reused PID whose argv is not this registry counts as not running). */
export async function registryPid(s: RegistrySite): Promise<number | undefined> {
  const pid = Number((await readFile(pidPath(s), 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0 || !(await isAlive(pid))) return undefined;
  const argv = await processArgv(pid);
  return argv?.includes(configPath(s)) ? pid : undefined;
}

async function answers(s: RegistrySite): Promise<boolean> {
  try {
    const res = await fetch(`http://${registryAddress(s)}/v2/`, { signal: AbortSignal.timeout(1000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Starts the registry unless it runs, and waits until `/v2/` answers. Returns whether it was started now. */
export async function startRegistry(
  s: RegistrySite,
  clock: Clock = systemClock,
  timeoutMs = 20_000,
): Promise<boolean> {
  if ((await registryPid(s)) !== undefined && (await answers(s))) return false;
  await mkdir(join(s.dir, 'data'), { recursive: true, mode: 0o700 });
  await writeFile(configPath(s), registryConfig(s), { mode: 0o600 });
  const argv = [s.binary ?? REGISTRY_BINARY, 'serve', configPath(s)];
  const full = s.ns ? nsenterArgv(s.ns, argv) : argv;
  const log = openSync(join(s.dir, 'registry.log'), 'a', 0o600);
  let pid: number;
  try {
    const child = spawn(full[0] as string, full.slice(1), { detached: true, stdio: ['ignore', log, log] });
    pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid as number));
    });
    child.unref();
  } finally {
    closeSync(log);
  }
  await writeFile(pidPath(s), `${pid}\n`, { mode: 0o600 });
  const deadline = clock.now() + timeoutMs;
  while (!(await answers(s))) {
    if (!(await isAlive(pid)) || clock.now() > deadline) {
      const tail = (await readFile(join(s.dir, 'registry.log'), 'utf8').catch(() => ''))
        .trim()
        .split('\n')
        .slice(-3);
      await stopRegistry(s, clock);
      throw new UpStepError(`the registry did not start on ${registryAddress(s)}: ${tail.join(' | ')}`);
    }
    await clock.sleep(100);
  }
  return true;
}

/** Stops the registry by its PID (TERM, then KILL). */
export async function stopRegistry(s: RegistrySite, clock: Clock = systemClock): Promise<void> {
  const pid = await registryPid(s);
  if (pid !== undefined) {
    signal(pid, 'SIGTERM');
    if (!(await waitGone([pid], 5000, clock))) {
      signal(pid, 'SIGKILL');
      await waitGone([pid], 5000, clock);
    }
  }
  await rm(pidPath(s), { force: true });
}

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function pushBlob(base: string, repo: string, blob: Buffer): Promise<string> {
  const digest = sha(blob);
  const head = await fetch(`${base}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  if (head.status === 200) return digest;
  const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  const loc = start.headers.get('location');
  if (start.status !== 202 || !loc)
    throw new UpStepError(`registry refused an upload (HTTP ${start.status})`);
  const url = new URL(loc, base);
  url.searchParams.set('digest', digest);
  const put = await fetch(url, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: blob,
  });
  if (put.status !== 201) throw new UpStepError(`registry refused blob ${digest} (HTTP ${put.status})`);
  return digest;
}

/** True when the registry holds `library/busybox:latest`. */
export async function hasBusybox(s: RegistrySite): Promise<boolean> {
  const res = await fetch(`http://${registryAddress(s)}/v2/library/busybox/manifests/latest`, {
    method: 'HEAD',
    headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
  }).catch(() => undefined);
  return res?.status === 200;
}

/**
 * Pushes `library/busybox:latest` (one layer: busybox-static and applet links; `CMD ["sh"]`) unless present.
 * Returns whether it was pushed now.
 */
export async function seedBusybox(s: RegistrySite): Promise<boolean> {
  if (await hasBusybox(s)) return false;
  const base = `http://${registryAddress(s)}`;
  const repo = 'library/busybox';
  const tar = await busyboxRootfsTar();
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
      rootfs: { type: 'layers', diff_ids: [sha(tar)] },
      history: [{ created_by: 'shoal: busybox-static' }],
    }),
  );
  const layerDigest = await pushBlob(base, repo, layer);
  const configDigest = await pushBlob(base, repo, config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: config.length,
      digest: configDigest,
    },
    layers: [
      {
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        size: layer.length,
        digest: layerDigest,
      },
    ],
  });
  const res = await fetch(`${base}/v2/${repo}/manifests/latest`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' },
    body: manifest,
  });
  if (res.status !== 201) {
    throw new UpStepError(`registry refused the busybox manifest (HTTP ${res.status}): ${await res.text()}`);
  }
  return true;
}
