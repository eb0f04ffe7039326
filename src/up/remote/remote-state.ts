import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../host/atomic-write.js';
import { upDir } from '../state.js';
import type { RemoteHost } from './hosts-file.js';

/** What `shoal up -f hosts.json` made, kept in `<store>/up/remote.json` for `up` again and `down`. */
export interface RemoteState {
  readonly version: 1;
  /** The hosts file it was made from. */
  file: string;
  /** The KV cluster's `--initial-cluster`: a different set of kv hosts needs `down` first. */
  initialCluster: string;
  /** Every host `up` touched, by name: how to reach it and what it made there. */
  hosts: Record<string, RemoteHostState>;
}

/** What `up` made on one host. */
export interface RemoteHostState {
  readonly host: RemoteHost;
  /** An etcd member runs there. */
  member: boolean;
  /** The fingerprint of the machine request the engine host was made with (absent: no engine host). */
  machine?: string;
}

/** The state file's path. */
export function remoteStatePath(storePath: string): string {
  return join(upDir(storePath), 'remote.json');
}

/** Reads the state, or undefined when `up -f hosts.json` never ran in this store. */
export async function loadRemoteState(storePath: string): Promise<RemoteState | undefined> {
  const text = await readFile(remoteStatePath(storePath), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as RemoteState);
}

/** Writes the state atomically (0600). */
export async function saveRemoteState(storePath: string, state: RemoteState): Promise<void> {
  await mkdir(upDir(storePath), { recursive: true, mode: 0o700 });
  await writeFileAtomic(remoteStatePath(storePath), `${JSON.stringify(state, null, 2)}\n`, 0o600);
}
