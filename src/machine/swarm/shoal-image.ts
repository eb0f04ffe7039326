/**
 * The `shoal:<version>` image the swarm containers run (no registry is reachable, so it is made here): a root
 * filesystem tar holding `/usr/bin/node` with its shared libraries (from `ldd`), and the built app under
 * `/opt/shoal` (package.json, dist/, and only the production packages of node_modules, read from package-lock.json).
 * The tar is built once per build id (a hash of the app's files and the node binary) into a cache folder, and
 * imported on a host only when the host lacks an image with that build id.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../host/run.js';
import { OPENSSL_CONFIG, shoalNodeFlags } from '../../util/node-flags.js';
import { SHOAL_VERSION } from '../../version.js';
import { SwarmSetupError } from './errors.js';

/** Repository:tag of the image (`shoal:<version>`). */
export const SHOAL_IMAGE = `shoal:${SHOAL_VERSION}`;
/** Image label carrying the build id. */
export const BUILD_LABEL = 'org.shoal.build';
/** Where the app sits inside the image. */
export const APP_DIR = '/opt/shoal';

/** The checkout (or install) root holding package.json and dist/ of the running shoal. */
export function appRoot(): string {
  // the nearest folder above this file holding package.json (dist/machine/swarm/ → the checkout)
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** node_modules paths (relative to the app root) of production packages, outermost only. */
export async function productionPackages(root: string): Promise<string[]> {
  const lock = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; link?: boolean }>;
  };
  const keep = Object.entries(lock.packages)
    .filter(([k, v]) => k !== '' && !v.dev && !v.link)
    .map(([k]) => k)
    .sort();
  const out: string[] = [];
  for (const k of keep) {
    if (out.some((p) => k.startsWith(`${p}/`))) continue;
    out.push(k);
  }
  return out;
}

async function walk(dir: string, acc: string[]): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, acc);
    else acc.push(p);
  }
}

async function hashFile(h: ReturnType<typeof createHash>, path: string): Promise<void> {
  await new Promise<void>((res, rej) => {
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('end', () => res())
      .on('error', rej);
  });
}

/**
 * The build id: sha256 over dist/, the OpenSSL settings, package.json, package-lock.json and the node binary's size
 * and mtime.
 */
export async function buildId(root: string, node = '/usr/bin/node'): Promise<string> {
  const h = createHash('sha256');
  const files: string[] = [];
  await walk(join(root, 'dist'), files);
  files.sort();
  const extra = [OPENSSL_CONFIG, 'package.json', 'package-lock.json'].map((f) => join(root, f));
  for (const f of [...files, ...extra]) {
    h.update(relative(root, f));
    await hashFile(h, f);
  }
  const s = await stat(node);
  h.update(`${node}:${s.size}:${s.mtimeMs}`);
  return h.digest('hex').slice(0, 16);
}

/** Shared libraries `node` needs, as `ldd` lists them (absolute paths). */
export async function sharedLibraries(node: string): Promise<string[]> {
  const res = await run(['ldd', node]);
  const libs = new Set<string>();
  for (const line of res.stdout.split('\n')) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (m?.[1]) libs.add(m[1]);
  }
  return [...libs];
}

/** A built image tar. */
export interface ShoalImageTar {
  readonly path: string;
  readonly buildId: string;
}

/**
 * Builds (or finds in `cacheDir`) the image's root filesystem tar for the running shoal.
 * @throws SwarmSetupError when dist/ is missing (build first) or tar fails.
 */
export async function ensureImageTar(cacheDir: string, node = '/usr/bin/node'): Promise<ShoalImageTar> {
  const root = appRoot();
  if (!(await stat(join(root, 'dist', 'cli', 'main.js')).catch(() => undefined))) {
    throw new SwarmSetupError(`no built shoal in ${root}/dist (run npm run build)`);
  }
  const id = await buildId(root, node);
  const path = join(cacheDir, `shoal-image-${id}.tar`);
  if (await stat(path).catch(() => undefined)) return { path, buildId: id };
  await mkdir(cacheDir, { recursive: true, mode: 0o700 });
  // Old builds are dropped: only the current tar is kept.
  for (const f of await readdir(cacheDir)) {
    if (/^shoal-image-.*\.tar/.test(f)) await rm(join(cacheDir, f), { force: true });
  }
  const rel = (p: string): string => p.replace(/^\/+/, '');
  const appRel = rel(root);
  const libs = await sharedLibraries(node);
  const pkgs = await productionPackages(root);
  const list = [
    rel(node),
    ...libs.map(rel),
    `${appRel}/package.json`,
    `${appRel}/dist`,
    `${appRel}/${OPENSSL_CONFIG}`,
    ...pkgs.map((p) => `${appRel}/${p}`),
  ];
  const listFile = join(cacheDir, `files-${id}.txt`);
  await writeFile(listFile, `${list.join('\n')}\n`);
  const tmp = `${path}.tmp`;
  try {
    await run([
      'tar',
      '-C',
      '/',
      '--dereference',
      '--exclude=*.test.js',
      '--exclude=*.map',
      '--exclude=node_modules/.bin',
      `--transform=s,^${appRel.replace(/[.,]/g, '\\$&')},${rel(APP_DIR)},`,
      '-cf',
      tmp,
      '-T',
      listFile,
    ]);
    await rename(tmp, path);
  } catch (err) {
    throw new SwarmSetupError(`cannot build the shoal image tar: ${(err as Error).message}`, { cause: err });
  } finally {
    await rm(tmp, { force: true });
    await rm(listFile, { force: true });
  }
  return { path, buildId: id };
}

/** `docker import --change` values of the image. */
export function importChanges(id: string): string[] {
  return [
    '--change',
    `ENTRYPOINT ${JSON.stringify(['/usr/bin/node', ...shoalNodeFlags(APP_DIR), `${APP_DIR}/dist/cli/main.js`])}`,
    '--change',
    `LABEL ${BUILD_LABEL}=${id}`,
    '--change',
    'ENV PATH=/usr/bin:/bin',
  ];
}
