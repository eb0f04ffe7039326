import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileDiscovery } from './file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shd-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function replace(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

describe('file:// discovery', () => {
  it('re-reads the file every heartbeat and emits only on change; a bad edit keeps the last good set', async () => {
    const file = join(dir, 'nodes');
    await replace(file, '# cluster\n10.235.0.[1:2]:2376\n');
    const d = new FileDiscovery(file, 20);
    const ac = new AbortController();
    const it = d.watch(ac.signal, (e) => errors.push(e.message))[Symbol.asyncIterator]();
    const errors: string[] = [];
    expect((await it.next()).value).toEqual(['10.235.0.1:2376', '10.235.0.2:2376']);
    await replace(file, '10.235.0.1:2376 # kept\n10.235.0.3:2376\n');
    expect((await it.next()).value).toEqual(['10.235.0.1:2376', '10.235.0.3:2376']);
    await replace(file, 'garbage line\n');
    const next = it.next();
    while (errors.length === 0) await new Promise((r) => setTimeout(r, 10));
    expect(errors[0]).toBe('invalid entry "garbage line": expected host:port with a port in 1..65535');
    await replace(file, '10.235.0.3:2376\n');
    expect((await next).value).toEqual(['10.235.0.3:2376']);
    ac.abort();
    expect((await it.next()).done).toBe(true);
  });

  it('reports a missing file and picks it up once it appears', async () => {
    const file = join(dir, 'later');
    const d = new FileDiscovery(file, 20);
    const errors: string[] = [];
    const ac = new AbortController();
    const it = d.watch(ac.signal, (e) => errors.push(e.message))[Symbol.asyncIterator]();
    const first = it.next();
    await new Promise((r) => setTimeout(r, 60));
    await replace(file, 'a:1\n');
    expect((await first).value).toEqual(['a:1']);
    expect(errors[0]).toBe(`cannot read discovery file ${file}`);
    ac.abort();
  });
});
