import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadUpState, upDir } from './state.js';

let store: string;

beforeEach(async () => {
  store = await mkdtemp(join(tmpdir(), 'shoal-upstate-'));
  await mkdir(upDir(store), { recursive: true });
});

afterEach(async () => {
  await rm(store, { recursive: true, force: true });
});

describe('loadUpState', () => {
  it('is undefined when up never ran', async () => {
    await rm(upDir(store), { recursive: true });
    expect(await loadUpState(store)).toBeUndefined();
  });

  it.each([
    ['half-written', '{"version": 1, "spec": {"pre'],
    ['not JSON', 'garbage'],
    ['another shape', '{"hosts": []}'],
    ['null', 'null'],
  ])('names the file when the state is %s', async (_, text) => {
    const file = join(upDir(store), 'state.json');
    await writeFile(file, text);
    await expect(loadUpState(store)).rejects.toThrow(file);
  });
});
