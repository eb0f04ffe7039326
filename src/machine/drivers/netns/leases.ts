/**
 * Address leases of netns machines: one file per used address, `/run/shoal/leases/<bridge>/<ip>`, holding the
 * namespace name. A file appears whole and only once (a hard link of a written temp file), so two creates never get
 * the same address. A lease whose namespace no longer exists (a create that crashed, a reboot-less cleanup by hand)
 * is stale and reused.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NETNS_DIR } from '../../../host/namespaces.js';
import { SubnetExhaustedError } from './errors.js';
import { hostAddresses, type Subnet } from './subnet.js';

/** Folder of all lease folders. */
export const LEASE_ROOT = '/run/shoal/leases';
/** Marker file in a bridge's lease folder: the bridge was made by shoal and goes with its last machine. */
export const OWNED_MARKER = '.owned-bridge';

function leaseDir(bridge: string): string {
  return join(LEASE_ROOT, bridge);
}

async function isStale(file: string): Promise<boolean> {
  const owner = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (!owner) {
    // Leases appear whole; an empty one was left by an older shoal killed while writing it.
    const age = await stat(file).then(
      (st) => Date.now() - st.mtimeMs,
      () => 0,
    );
    return age > 5000;
  }
  return stat(join(NETNS_DIR, owner)).then(
    () => false,
    () => true,
  );
}

/**
 * Leases the first free host address of `subnet` on `bridge` for the namespace `ns`; with `only`, that address or
 * nothing (a machine brought back after a reboot keeps its address). An address already leased to `ns` is reused.
 */
export async function leaseAddress(
  bridge: string,
  subnet: Subnet,
  ns: string,
  only?: string,
): Promise<string> {
  const dir = leaseDir(bridge);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const ip of only ? [only] : hostAddresses(subnet)) {
    const file = join(dir, ip);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await claimFile(file, `${ns}\n`);
        return ip;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if ((await readFile(file, 'utf8').catch(() => '')).trim() === ns) return ip;
        if (attempt === 0 && (await isStale(file))) await rm(file, { force: true });
        else break;
      }
    }
  }
  throw new SubnetExhaustedError(
    only
      ? `Address ${only} on bridge ${bridge} is taken by another machine`
      : `No free address left in ${subnet.cidr} on bridge ${bridge}`,
  );
}

/**
 * Creates `file` holding `text`, or throws EEXIST: the text is written to a temp file first and hard-linked to the
 * name (atomic and exclusive), so a process killed half-way never leaves an empty lease that nobody could judge stale.
 */
async function claimFile(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
    await link(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** The address leased to namespace `ns` on `bridge`, if any (a machine whose create died before saving it). */
export async function addressLeasedTo(bridge: string, ns: string): Promise<string | undefined> {
  for (const name of await readdir(leaseDir(bridge)).catch(() => [] as string[])) {
    if (name.startsWith('.') || name.includes('.tmp-')) continue;
    const owner = (await readFile(join(leaseDir(bridge), name), 'utf8').catch(() => '')).trim();
    if (owner === ns) return name;
  }
  return undefined;
}

/** Gives the address back (idempotent). */
export async function releaseAddress(bridge: string, ip: string): Promise<void> {
  await rm(join(leaseDir(bridge), ip), { force: true });
}

/** Number of addresses still leased on `bridge`. */
export async function leaseCount(bridge: string): Promise<number> {
  const names = await readdir(leaseDir(bridge)).catch(() => [] as string[]);
  return names.filter((n) => !n.startsWith('.') && !n.includes('.tmp-')).length;
}

/** Records that shoal made `bridge` (so the last machine's removal deletes it). */
export async function markBridgeOwned(bridge: string): Promise<void> {
  await mkdir(leaseDir(bridge), { recursive: true, mode: 0o700 });
  await (await open(join(leaseDir(bridge), OWNED_MARKER), 'w', 0o600)).close();
}

/** True when shoal made `bridge`. */
export async function isBridgeOwned(bridge: string): Promise<boolean> {
  return stat(join(leaseDir(bridge), OWNED_MARKER)).then(
    () => true,
    () => false,
  );
}

/** Deletes the bridge's lease folder (after its last machine). */
export async function dropLeaseDir(bridge: string): Promise<void> {
  await rm(leaseDir(bridge), { recursive: true, force: true });
}
