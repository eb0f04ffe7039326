import { access, constants, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { PreCreateCheckError } from '../../errors.js';
import { MAX_SOCKET_PATH, type MachineLayout } from './layout.js';
import { namespacePaths } from './namespaces.js';

/** Host tools the driver runs. */
export const REQUIRED_TOOLS = ['ip', 'iptables', 'nsenter', 'unshare', 'mount', 'umount'] as const;

/** Resolves `bin` like a shell would (absolute paths as they are); undefined when not found or not executable. */
export async function which(bin: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  const candidates =
    isAbsolute(bin) || bin.includes('/') ? [bin] : path.split(delimiter).map((d) => join(d, bin));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      if ((await stat(c)).isFile()) return c;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** Throws {@link PreCreateCheckError} unless the process runs as root. */
export function checkRoot(uid = process.getuid?.() ?? 0): void {
  if (uid !== 0) {
    throw new PreCreateCheckError(
      'The netns driver needs root: it creates network namespaces, a bridge and iptables rules (run shoal as root)',
    );
  }
}

/** Resolves the dockerd binary and the host tools; throws {@link PreCreateCheckError} naming what is missing. */
export async function checkTools(dockerd: string): Promise<string> {
  const missing: string[] = [];
  for (const t of REQUIRED_TOOLS) if (!(await which(t))) missing.push(t);
  if (missing.length) {
    throw new PreCreateCheckError(
      `Missing host tools for the netns driver: ${missing.join(', ')} (install iproute2, iptables, util-linux)`,
    );
  }
  const found = await which(dockerd);
  if (!found) {
    throw new PreCreateCheckError(
      `dockerd not found: "${dockerd}" is not an executable${isAbsolute(dockerd) ? '' : ' in PATH'} (install docker.io or pass --netns-dockerd)`,
    );
  }
  return found;
}

/** Refuses a store path so long that the engine's unix sockets would not fit the kernel's limit. */
export function checkSocketPaths(layout: MachineLayout): void {
  const longest = join(layout.execRoot, 'containerd', 'containerd.sock.ttrpc');
  for (const p of [layout.socket, longest]) {
    if (p.length > MAX_SOCKET_PATH) {
      throw new PreCreateCheckError(
        `Storage path too long for the netns driver: ${p} exceeds ${MAX_SOCKET_PATH} bytes (use a shorter --storage-path)`,
      );
    }
  }
}

/** Refuses a machine whose namespace name is taken (another store, or a leftover). */
export async function checkNamespaceFree(ns: string): Promise<void> {
  const taken = await stat(namespacePaths(ns).net).then(
    () => true,
    () => false,
  );
  if (taken) {
    throw new PreCreateCheckError(
      `Network namespace "${ns}" already exists (another store uses this name; pick another name or --netns-prefix)`,
    );
  }
}
