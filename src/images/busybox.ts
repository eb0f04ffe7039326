/**
 * The `busybox:latest` image of shoal's tests and demos, made without a registry: a root filesystem holding the
 * static busybox binary (Debian's busybox-static) and applet symlinks, which `docker import` turns into an image.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { type TarEntry, writeTar } from './tar-writer.js';

/** Where Debian's busybox-static installs the binary. */
export const BUSYBOX_BINARY = '/bin/busybox';
/** Image name given to the import. */
export const BUSYBOX_IMAGE = 'busybox:latest';
/** Applets linked in /bin. */
export const BUSYBOX_APPLETS = [
  'sh',
  'ls',
  'cat',
  'echo',
  'sleep',
  'ping',
  'wget',
  'nc',
  'hostname',
  'ip',
  'ps',
  'top',
  'httpd',
  'ifconfig',
  'nslookup',
  'env',
  'true',
  'false',
  'mkdir',
  'rm',
  'grep',
  'head',
  'tail',
  'wc',
  'date',
  'touch',
  'kill',
  'id',
] as const;

/** `--change` arguments of `docker import` that make the image run `sh` by default. */
export const BUSYBOX_IMPORT_CHANGES = ['--change', 'CMD ["sh"]'] as const;

/**
 * The image's root filesystem as a tar: `/bin/busybox` (mode 0755), `/bin/<applet>` → `busybox` symlinks, and empty
 * `dev etc proc sys root var tmp` (tmp 1777). Throws if the busybox binary is missing (install busybox-static).
 */
export async function busyboxRootfsTar(busyboxPath = BUSYBOX_BINARY): Promise<Buffer> {
  const binary = await readFile(busyboxPath);
  const entries: TarEntry[] = [
    { type: 'dir', path: 'bin' },
    { type: 'file', path: 'bin/busybox', data: binary, mode: 0o755 },
    ...BUSYBOX_APPLETS.map((a): TarEntry => ({ type: 'symlink', path: `bin/${a}`, target: 'busybox' })),
    ...['dev', 'etc', 'proc', 'sys', 'root', 'var'].map((d): TarEntry => ({ type: 'dir', path: d })),
    { type: 'dir', path: 'tmp', mode: 0o1777 },
  ];
  return writeTar(entries);
}

/**
 * Imports the busybox image into the engine that `env` points the docker CLI at (`DOCKER_HOST` etc.), tagged
 * {@link BUSYBOX_IMAGE}. Resolves with the image ID; rejects with the CLI's stderr on failure.
 */
export async function importBusybox(
  env: Readonly<Record<string, string>>,
  opts: { cli?: string; busyboxPath?: string } = {},
): Promise<string> {
  const tar = await busyboxRootfsTar(opts.busyboxPath);
  return new Promise((resolve, reject) => {
    const child = spawn(opts.cli ?? 'docker', ['import', ...BUSYBOX_IMPORT_CHANGES, '-', BUSYBOX_IMAGE], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.on('error', reject);
    child.stdin.on('error', () => undefined);
    child.stdin.end(tar);
    child.on('close', (code) => {
      if (code === 0) resolve(out.trim());
      else reject(new Error(`docker import failed (exit ${code}): ${err.trim()}`));
    });
  });
}
