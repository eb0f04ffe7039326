import { readdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { MachineService } from '../machine/machine-service.js';
import { type Clock, systemClock } from '../util/clock.js';
import { NoUpClusterError } from './errors.js';
import { stopMirror } from './registry-mirror.js';
import { loadUpState, upDir } from './state.js';
import { kvCluster, mirrorSite } from './up.js';

/**
 * `shoal down`: removes the cluster `shoal up` made in this store: engine hosts (their swarm containers go with
 * their engines), the registry and KV processes (by PID), the KV host, `up`'s folder, and the image cache when no
 * machine is left in the store. Removal goes on past failures and reports them together at the end.
 * @throws NoUpClusterError when the store holds no such cluster.
 */
export async function clusterDown(
  storePath: string,
  opts: { progress?: (line: string) => void; clock?: Clock } = {},
): Promise<void> {
  const clock = opts.clock ?? systemClock;
  const say = opts.progress ?? (() => undefined);
  await removeDoomed(storePath);
  const state = await loadUpState(storePath);
  if (!state) throw new NoUpClusterError(`no cluster made by shoal up in ${storePath}`);
  const svc = new MachineService({ storePath, clock });
  const errors: Error[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    say(what);
    await fn().catch((e: unknown) => errors.push(new Error(`${what}: ${(e as Error).message}`)));
  };
  // The declared hosts too: an `up` killed while making one may not have recorded it yet.
  const names = new Set([...Object.keys(state.hosts), ...state.spec.hosts.map((h) => h.name)]);
  for (const name of [...names].reverse()) {
    if (await svc.store.exists(name))
      await attempt(`Removing ${name}`, () => svc.remove(name, { force: true }));
  }
  if (state.kvIp) {
    await attempt('Stopping the registry', () =>
      stopMirror(mirrorSite(storePath, state.spec, state.kvIp), clock),
    );
    await attempt('Stopping the KV cluster', () =>
      kvCluster(storePath, state.spec, state.kvIp, clock).remove(),
    );
  }
  if (await svc.store.exists(state.spec.kvHost)) {
    await attempt(`Removing ${state.spec.kvHost}`, () => svc.remove(state.spec.kvHost, { force: true }));
  }
  // Renamed first, then deleted: a down killed while deleting leaves no `up` folder without its state file.
  const doomed = `${upDir(storePath)}${DOOMED}${process.pid}`;
  await rename(upDir(storePath), doomed).catch(() => undefined);
  await removeDoomed(storePath);
  if ((await svc.store.list().catch(() => [])).length === 0) {
    await rm(join(storePath, 'cache'), { recursive: true, force: true });
  }
  if (errors.length) throw new AggregateError(errors, errors.map((e) => e.message).join('; '));
}

/** Suffix of an `up` folder being deleted. */
const DOOMED = '.removing-';

/** Deletes `up` folders a `down` renamed for deletion (one killed half-way included). */
async function removeDoomed(storePath: string): Promise<void> {
  const base = basename(upDir(storePath));
  for (const n of await readdir(storePath).catch(() => [] as string[])) {
    if (n.startsWith(`${base}${DOOMED}`)) await rm(join(storePath, n), { recursive: true, force: true });
  }
}
