/**
 * The cluster's registry mirror (the tutorial's `--engine-registry-mirror`): Debian's `docker-registry`
 * (distribution 2.x) run as a detached daemon in the KV host's namespaces, storing under the up folder, and seeded
 * with a `library/busybox:latest` image made from busybox-static and pushed over the registry's HTTP API (no engine
 * needed). The mirror serves pulls only (the registry's read-only mode): hosts cannot push into it. Seeding goes
 * through a second, short-lived registry process on the same storage that listens on a unix socket in the up
 * folder, which only this machine's root can reach.
 */
import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Agent, type Dispatcher, fetch as undiciFetch } from 'undici';
import { writeFileAtomic } from '../host/atomic-write.js';
import { DetachedDaemon } from '../host/detached-daemon.js';
import { busyboxRootfsTar } from '../images/busybox.js';
import { type Clock, systemClock } from '../util/clock.js';
import { UpStepError } from './errors.js';

/** Debian's registry binary. */
export const REGISTRY_BINARY = '/usr/bin/docker-registry';
/** Port the mirror listens on. */
export const MIRROR_PORT = 5000;

/** Where and how one mirror runs. */
export interface MirrorSite {
  /** Folder for config.yml, data/, registry.pid, registry.log. */
  readonly dir: string;
  /** Listen address (the KV host's IP). */
  readonly ip: string;
  /** Namespace set to run in (netns machine); omitted = this namespace. */
  readonly ns?: string;
  readonly binary?: string;
  /** Accept pushes on the public address (a registry to push to, in tests); default: pulls only. */
  readonly pushable?: boolean;
}

const configPath = (s: MirrorSite): string => join(s.dir, 'config.yml');

/** The mirror's `host:port`. */
export function mirrorAddress(s: MirrorSite): string {
  return `${s.ip}:${MIRROR_PORT}`;
}

/**
 * The registry's config file: filesystem storage under `dir/data`, deletes on, listening on `ip:5000` and read-only
 * unless the site is pushable; with `seedSocket`, a writable one listening on that unix socket instead.
 */
export function mirrorConfig(s: MirrorSite, seedSocket?: string): string {
  const readOnly = !seedSocket && !s.pushable;
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(s.dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    ...(readOnly ? ['  maintenance:', '    readonly:', '      enabled: true'] : []),
    'http:',
    ...(seedSocket ? ['  net: unix', `  addr: ${seedSocket}`] : [`  addr: ${mirrorAddress(s)}`]),
    '',
  ].join('\n');
}

const seedConfigPath = (s: MirrorSite): string => join(s.dir, 'seed.yml');
const seedSocketPath = (s: MirrorSite): string => join(s.dir, 'seed.sock');

/** The mirror's registry process as a detached daemon (a process whose argv lacks this config file is not it). */
function mirrorDaemon(s: MirrorSite, clock: Clock = systemClock): DetachedDaemon {
  return new DetachedDaemon(
    {
      name: 'registry mirror',
      pidFile: join(s.dir, 'registry.pid'),
      logFile: join(s.dir, 'registry.log'),
      isOwn: (argv) => argv.includes(configPath(s)),
    },
    clock,
  );
}

/** The running mirror's PID, or undefined. */
export async function mirrorPid(s: MirrorSite): Promise<number | undefined> {
  return mirrorDaemon(s).pid();
}

async function answers(s: MirrorSite): Promise<boolean> {
  try {
    const res = await fetch(`http://${mirrorAddress(s)}/v2/`, { signal: AbortSignal.timeout(1000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Starts the mirror unless it runs, and waits until `/v2/` answers. Returns whether it was started now. */
export async function startMirror(
  s: MirrorSite,
  clock: Clock = systemClock,
  timeoutMs = 20_000,
): Promise<boolean> {
  const daemon = mirrorDaemon(s, clock);
  if ((await daemon.pid()) !== undefined && (await answers(s))) return false;
  await mkdir(join(s.dir, 'data'), { recursive: true, mode: 0o700 });
  await writeFileAtomic(configPath(s), mirrorConfig(s));
  const pid = await daemon.spawn({
    argv: [s.binary ?? REGISTRY_BINARY, 'serve', configPath(s)],
    ...(s.ns ? { ns: s.ns } : {}),
  });
  await daemon.waitReady(pid, () => answers(s), {
    timeoutMs,
    failure: async () => {
      const tail = (await daemon.logTail(3)).trim().split('\n');
      await daemon.stop({ graceMs: 5000 });
      return new UpStepError(`the registry did not start on ${mirrorAddress(s)}: ${tail.join(' | ')}`);
    },
  });
  return true;
}

/** Stops the mirror (and a seeding registry left by a killed `up`) by PID (TERM, then KILL). */
export async function stopMirror(s: MirrorSite, clock: Clock = systemClock): Promise<void> {
  await mirrorDaemon(s, clock).stop({ graceMs: 5000 });
  await seedDaemon(s, clock).stop({ graceMs: 5000 });
}

/** The writable registry that seeds the mirror's storage over a unix socket. */
function seedDaemon(s: MirrorSite, clock: Clock = systemClock): DetachedDaemon {
  return new DetachedDaemon(
    {
      name: 'registry mirror seeder',
      pidFile: join(s.dir, 'seed.pid'),
      logFile: join(s.dir, 'seed.log'),
      isOwn: (argv) => argv.includes(seedConfigPath(s)),
    },
    clock,
  );
}

/** Where and how to reach a registry's HTTP API. */
interface RegistryApi {
  readonly base: string;
  readonly dispatcher?: Dispatcher;
}

function call(api: RegistryApi, path: string | URL, init: Parameters<typeof undiciFetch>[1] = {}) {
  const url = typeof path === 'string' ? `${api.base}${path}` : path;
  return undiciFetch(url, { ...init, ...(api.dispatcher ? { dispatcher: api.dispatcher } : {}) });
}

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function pushBlob(api: RegistryApi, repo: string, blob: Buffer): Promise<string> {
  const digest = sha(blob);
  const head = await call(api, `/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  if (head.status === 200) return digest;
  const start = await call(api, `/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  const loc = start.headers.get('location');
  if (start.status !== 202 || !loc)
    throw new UpStepError(`registry refused an upload (HTTP ${start.status})`);
  const url = new URL(loc, api.base);
  url.searchParams.set('digest', digest);
  const put = await call(api, url, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: blob,
  });
  if (put.status !== 201) throw new UpStepError(`registry refused blob ${digest} (HTTP ${put.status})`);
  return digest;
}

/** True when the registry holds `library/busybox:latest`. */
export async function hasBusybox(s: MirrorSite): Promise<boolean> {
  const res = await fetch(`http://${mirrorAddress(s)}/v2/library/busybox/manifests/latest`, {
    method: 'HEAD',
    headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
  }).catch(() => undefined);
  return res?.status === 200;
}

/**
 * Pushes `library/busybox:latest` (one layer: busybox-static and applet links; `CMD ["sh"]`) unless present: on
 * the public address of a pushable site, else through a seeding registry on a unix socket. Returns whether it was
 * pushed now.
 */
export async function seedBusybox(s: MirrorSite, clock: Clock = systemClock): Promise<boolean> {
  if (await hasBusybox(s)) return false;
  if (s.pushable) {
    await pushBusybox({ base: `http://${mirrorAddress(s)}` });
    return true;
  }
  const seeder = seedDaemon(s, clock);
  await seeder.stop({ graceMs: 5000 });
  await rm(seedSocketPath(s), { force: true });
  await mkdir(join(s.dir, 'data'), { recursive: true, mode: 0o700 });
  await writeFileAtomic(seedConfigPath(s), mirrorConfig(s, seedSocketPath(s)));
  const dispatcher = new Agent({ connect: { socketPath: seedSocketPath(s) } });
  const api = { base: 'http://localhost', dispatcher };
  try {
    const pid = await seeder.spawn({ argv: [s.binary ?? REGISTRY_BINARY, 'serve', seedConfigPath(s)] });
    await seeder.waitReady(
      pid,
      async () => (await call(api, '/v2/').catch(() => undefined))?.status === 200,
      {
        timeoutMs: 20_000,
      },
    );
    await pushBusybox(api);
  } finally {
    await seeder.stop({ graceMs: 5000 });
    await dispatcher.close();
    await rm(seedSocketPath(s), { force: true });
  }
  return true;
}

/** Pushes `library/busybox:latest` through `api`. */
async function pushBusybox(api: RegistryApi): Promise<void> {
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
  const layerDigest = await pushBlob(api, repo, layer);
  const configDigest = await pushBlob(api, repo, config);
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
  const res = await call(api, `/v2/${repo}/manifests/latest`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' },
    body: manifest,
  });
  if (res.status !== 201) {
    throw new UpStepError(`registry refused the busybox manifest (HTTP ${res.status}): ${await res.text()}`);
  }
}
