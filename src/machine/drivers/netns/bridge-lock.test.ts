import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../util/clock.js';
import { systemClock } from '../../../util/clock.js';
import { withBridgeLock as lockIn } from './bridge-lock.js';

const BRIDGE = 'br-test';
let root: string;
const withBridgeLock = <T>(b: string, c: Clock, fn: () => Promise<T>, timeoutMs = 5000) =>
  lockIn(b, c, fn, timeoutMs, root);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'shoal-lock-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('withBridgeLock', () => {
  it('serialises holders of the same bridge', async () => {
    const order: string[] = [];
    const hold = (tag: string) =>
      withBridgeLock(BRIDGE, systemClock, async () => {
        order.push(`${tag}+`);
        await systemClock.sleep(30);
        order.push(`${tag}-`);
      });
    await Promise.all([hold('a'), hold('b')]);
    expect(order.join(' ')).toMatch(/^(a\+ a- b\+ b-|b\+ b- a\+ a-)$/);
  });

  it('releases the lock when the holder throws', async () => {
    await expect(
      withBridgeLock(BRIDGE, systemClock, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await withBridgeLock(BRIDGE, systemClock, async () => 'again')).toBe('again');
  });

  it('times out with a clear error while another live process holds it', async () => {
    await withBridgeLock(BRIDGE, systemClock, async () => {
      // same process, so the lock is not stale: a nested attempt must wait and give up
      await expect(withBridgeLock(BRIDGE, systemClock, async () => 1, 200)).rejects.toThrow(
        /is locked by another/,
      );
    });
  });
});
