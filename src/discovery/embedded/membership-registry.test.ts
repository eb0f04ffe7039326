import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../util/clock.js';
import { MembershipRegistry } from './membership-registry.js';

/** A manual clock: sleeps resolve when `advance()` passes their deadline. */
class ManualClock implements Clock {
  t = 1_000_000;
  private sleepers: Array<{ at: number; resolve: () => void }> = [];
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const s = { at: this.t + ms, resolve };
      this.sleepers.push(s);
      signal?.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((x) => x !== s);
        reject(signal.reason);
      });
    });
  }
  advance(ms: number): void {
    this.t += ms;
    const due = this.sleepers.filter((s) => s.at <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const s of due) s.resolve();
  }
}

/** Pulls watch results into an array, one `next()` at a time. */
function collector(reg: MembershipRegistry, signal: AbortSignal) {
  const it = reg.watch(signal)[Symbol.asyncIterator]();
  return { next: async () => (await it.next()).value as string[] };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shd-reg-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('MembershipRegistry', () => {
  it('registers, refreshes and expires members after their TTL', async () => {
    const clock = new ManualClock();
    const reg = new MembershipRegistry({ clock, defaultTtlMs: 3000 });
    await reg.register('10.0.0.2:2376');
    await reg.register('10.0.0.1:2376', 10_000);
    expect(reg.list()).toEqual(['10.0.0.1:2376', '10.0.0.2:2376']);
    clock.advance(2000);
    await reg.register('10.0.0.2:2376'); // refresh: now expires at +5000
    clock.advance(2500);
    expect(reg.list()).toEqual(['10.0.0.1:2376', '10.0.0.2:2376']);
    clock.advance(600);
    expect(reg.list()).toEqual(['10.0.0.1:2376']);
    clock.advance(5000);
    expect(reg.list()).toEqual([]);
  });

  it('rejects bad addresses and TTLs', async () => {
    const reg = new MembershipRegistry();
    await expect(reg.register('nope')).rejects.toThrow('invalid address "nope"');
    await expect(reg.register('a:1', 10)).rejects.toThrow('invalid ttl 10ms');
    await expect(reg.register('a:1', 7_200_000)).rejects.toThrow('invalid ttl');
  });

  it('watch emits on join, on expiry and on deregister', async () => {
    const clock = new ManualClock();
    const reg = new MembershipRegistry({ clock, defaultTtlMs: 3000 });
    const ac = new AbortController();
    const w = collector(reg, ac.signal);
    expect(await w.next()).toEqual([]);
    await reg.register('b:1');
    expect(await w.next()).toEqual(['b:1']);
    await reg.register('a:1', 60_000);
    expect(await w.next()).toEqual(['a:1', 'b:1']);
    const pending = w.next();
    clock.advance(3001);
    expect(await pending).toEqual(['a:1']);
    await reg.deregister('a:1');
    expect(await w.next()).toEqual([]);
    ac.abort();
  });

  it('persists members atomically (0600) and a restarted registry keeps the unexpired ones', async () => {
    const clock = new ManualClock();
    const file = join(dir, 'm', 'members.json');
    const reg = new MembershipRegistry({ clock, file, defaultTtlMs: 3000 });
    await reg.register('a:1');
    await reg.register('b:1', 60_000);
    await reg.close();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved.configVersion).toBe(1);
    clock.advance(4000);
    const again = new MembershipRegistry({ clock, file });
    await again.load();
    expect(again.list()).toEqual(['b:1']);
  });

  it('refuses a corrupt file instead of starting empty', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, '{not json');
    await expect(new MembershipRegistry({ file }).load()).rejects.toThrow(`corrupt membership file ${file}`);
  });
});
