import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Router from 'find-my-way';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDiscoveryRoutes } from '../../api/routes/discovery.js';
import { type Child, eventually, spawnShoal } from '../../testkit/discovery.js';
import { MembershipRegistry } from './membership-registry.js';
import { MEMBERSHIP_PATH } from './shoal-discovery.js';

/** A manager stand-in: the real registry and routes on a real HTTP server. */
async function startManager(
  file: string,
): Promise<{ registry: MembershipRegistry; server: Server; addr: string }> {
  const registry = new MembershipRegistry({ file, defaultTtlMs: 3000 });
  await registry.load();
  const router = Router();
  addDiscoveryRoutes(router, registry);
  const server = createServer((req, res) => router.lookup(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  return { registry, server, addr: `127.0.0.1:${typeof a === 'object' && a ? a.port : 0}` };
}

async function stopManager(m: { registry: MembershipRegistry; server: Server }): Promise<void> {
  await new Promise<void>((resolve) => m.server.close(() => resolve()));
  await m.registry.close();
}

let dir: string;
const children: Child[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shd-embedded-'));
});
afterAll(async () => {
  for (const c of children) await c.stop('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('shoal:// direct registration with the manager (no KV)', () => {
  it('join registers, list shows it, a stopped agent expires after its TTL, a restarted manager keeps members', async () => {
    const file = join(dir, 'members.json');
    let m = await startManager(file);
    const url = `shoal://${m.addr}`;
    try {
      const ac = new AbortController();
      const seen: string[][] = [];
      const watching = (async () => {
        for await (const l of m.registry.watch(ac.signal)) seen.push(l);
      })();
      const j1 = spawnShoal([
        'join',
        '--advertise',
        '10.235.0.31:2376',
        '--heartbeat',
        '1s',
        '--ttl',
        '3s',
        url,
      ]);
      const j2 = spawnShoal([
        'join',
        '--advertise',
        '10.235.0.32:2376',
        '--heartbeat',
        '1s',
        '--ttl',
        '60s',
        url,
      ]);
      children.push(j1, j2);
      await eventually(async () => (seen.at(-1)?.length === 2 ? true : undefined));
      const list = spawnShoal(['list', '--timeout', '5s', url]);
      expect(await list.exited).toBe(0);
      expect(list.lines).toEqual(['10.235.0.31:2376', '10.235.0.32:2376']);

      expect(await j1.stop('SIGTERM')).toBe(0);
      await eventually(async () => (seen.at(-1)?.join() === '10.235.0.32:2376' ? true : undefined));
      expect(seen).toContainEqual(['10.235.0.31:2376', '10.235.0.32:2376']);
      ac.abort();
      await watching;

      // Restart the manager: the 60 s member survives from the file even with its agent stopped.
      expect(await j2.stop('SIGTERM')).toBe(0);
      await stopManager(m);
      m = await startManager(file);
      expect(m.registry.list()).toEqual(['10.235.0.32:2376']);
      const again = spawnShoal(['list', '--timeout', '5s', `shoal://${m.addr}`]);
      expect(await again.exited).toBe(0);
      expect(again.lines).toEqual(['10.235.0.32:2376']);
    } finally {
      await stopManager(m);
    }
  });

  it('the API answers bad registrations with 400 and Engine-style JSON', async () => {
    const m = await startManager(join(dir, 'other.json'));
    try {
      const post = (body: string) =>
        fetch(`http://${m.addr}${MEMBERSHIP_PATH}`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        });
      let res = await post('{bad');
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(
        /^invalid character in JSON body: /,
      );
      res = await post(JSON.stringify({ Addr: '10.235.0.40:2376', Pad: 'x'.repeat(5000) }));
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({ message: 'request body is larger than 4096 bytes' });
      res = await post('{"Addr":"nohost"}');
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/invalid address "nohost"/);
      res = await post('{"Addr":"10.235.0.40:2376","TTL":"x"}');
      expect(res.status).toBe(400);
      res = await post('{"Addr":"10.235.0.40:2376","TTL":30}');
      expect(res.status).toBe(204);
      res = await fetch(`http://${m.addr}${MEMBERSHIP_PATH}/10.235.0.40:2376`, { method: 'DELETE' });
      expect(res.status).toBe(204);
      res = await fetch(`http://${m.addr}${MEMBERSHIP_PATH}/10.235.0.40:2376`, { method: 'DELETE' });
      expect(res.status).toBe(404);
      expect(await (await fetch(`http://${m.addr}${MEMBERSHIP_PATH}`)).json()).toEqual([]);
    } finally {
      await stopManager(m);
    }
  });
});
