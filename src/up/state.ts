import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../host/atomic-write.js';
import { UpStateError } from './errors.js';
import type { UpSpec } from './spec.js';

/** What `shoal up` made, kept in `<store>/up/state.json` so `up` again, `down` and `status` know the cluster. */
export interface UpState {
  readonly version: 1;
  spec: UpSpec;
  /** The KV host's address (KV members and registry listen there). */
  kvIp: string;
  /** Engine hosts made by `up`, with the fingerprint of the create request they were made with. */
  hosts: Record<string, string>;
}

/** Folder of `up`'s own files inside a store. */
export function upDir(storePath: string): string {
  return join(storePath, 'up');
}

/**
 * Reads the state, or undefined when `up` never ran in this store.
 * @throws UpStateError naming the file when it is not the JSON `up` writes.
 */
export async function loadUpState(storePath: string): Promise<UpState | undefined> {
  const file = join(upDir(storePath), 'state.json');
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let state: UpState;
  try {
    state = JSON.parse(text) as UpState;
  } catch (err) {
    throw new UpStateError(`${file} is not valid JSON (${(err as Error).message}); fix or delete it`, {
      cause: err,
    });
  }
  if (state?.version !== 1 || !state.spec || !state.hosts) {
    throw new UpStateError(`${file} is not a state file of shoal up; fix or delete it`);
  }
  return state;
}

/** Writes the state atomically. */
export async function saveUpState(storePath: string, state: UpState): Promise<void> {
  await mkdir(upDir(storePath), { recursive: true, mode: 0o700 });
  await writeFileAtomic(join(upDir(storePath), 'state.json'), `${JSON.stringify(state, null, 2)}\n`, 0o600);
}
