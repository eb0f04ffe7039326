import { stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { namespacePaths } from '../../../host/namespaces.js';
import { isRoot, missingBinaries, which } from '../../../host/preflight.js';
import { PreCreateCheckError } from '../../errors.js';
import { MAX_SOCKET_PATH, type MachineLayout } from './layout.js';

/** Host tools the driver runs. */
export const REQUIRED_TOOLS = ['ip', 'iptables', 'nsenter', 'unshare', 'mount', 'umount'] as const;

/** Throws {@link PreCreateCheckError} unless the process runs as root. */
export function checkRoot(uid?: number): void {
  if (!isRoot(uid)) {
    throw new PreCreateCheckError(
      'The netns driver needs root: it creates network namespaces, a bridge and iptables rules (run shoal as root)',
    );
  }
}

/** Resolves the dockerd binary and the host tools; throws {@link PreCreateCheckError} naming what is missing. */
export async function checkTools(dockerd: string): Promise<string> {
  const missing = await missingBinaries(REQUIRED_TOOLS);
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
