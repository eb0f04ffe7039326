/**
 * Replication over a real etcd (one loopback member): roles, the follower's view of the primary, hand-over on
 * resignation, and a replica's wait for a primary.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeaderElection } from '../discovery/election/index.js';
import { type LocalEtcd, startLocalEtcd } from '../kv/index.js';
import { Replication } from './replication.js';

let dir = '';
let etcd: LocalEtcd | undefined;
let url = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-shu-rep-'));
  etcd = await startLocalEtcd(dir, 'shurep');
  url = `etcd://${etcd.endpoints.join(',')}/shu`;
});

afterAll(async () => {
  await etcd?.remove();
  await rm(dir, { recursive: true, force: true });
});

function manager(addr: string): Replication {
  return new Replication(createLeaderElection(url, { ttlMs: 2000, retryMs: 200 }), addr);
}

async function until(check: () => boolean, limitMs = 15_000): Promise<boolean> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('Replication on etcd', () => {
  it('elects one primary, the other follows it, and a resignation hands over at once', async () => {
    const a = manager('10.0.0.1:3376');
    a.start();
    expect(await a.waitForPrimary(10_000)).toBe('10.0.0.1:3376');
    expect(await until(() => a.role() === 'primary')).toBe(true);
    const b = manager('10.0.0.2:3376');
    const seen: string[] = [];
    b.on('leader', (x) => seen.push(x));
    b.start();
    expect(await until(() => b.primary() === '10.0.0.1:3376')).toBe(true);
    expect(b.role()).toBe('replica');
    await a.close();
    expect(await until(() => b.role() === 'primary')).toBe(true);
    expect(b.primary()).toBe('10.0.0.2:3376');
    expect(seen[0]).toBe('10.0.0.1:3376');
    await b.close();
  });

  it('a replica with no primary waits, then gives up with undefined', async () => {
    const lonely = new Replication(
      createLeaderElection(`etcd://${etcd?.endpoints[0]}/shu-empty`, { ttlMs: 2000 }),
      'x:1',
    );
    // not started: nobody campaigns, so no primary appears
    expect(await lonely.waitForPrimary(300)).toBeUndefined();
    await lonely.close();
  });
});
