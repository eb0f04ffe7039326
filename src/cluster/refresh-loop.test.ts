import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testkit/manual-clock.js';
import { RefreshLoop } from './refresh-loop.js';

describe('RefreshLoop', () => {
  it('waits min×(1+backoff)+jitter between refreshes and wakes early on demand', async () => {
    const clock = new ManualClock();
    const target = {
      failureCount: 0,
      active: true,
      refreshes: 0,
      refresh: async () => void target.refreshes++,
    };
    const errors: string[] = [];
    const loop = new RefreshLoop(
      target,
      { minMs: 1000, maxMs: 3000, failureRetry: 2 },
      clock,
      () => 0.5,
      (e) => errors.push(e.message),
    );
    loop.start();
    await clock.advance(0);
    expect(clock.pendingDelays()).toEqual([2000]);
    await clock.advance(1999);
    expect(target.refreshes).toBe(0);
    await clock.advance(1);
    expect(target.refreshes).toBe(1);

    // backoff: 5 failures with retry 2 → min × 4 + jitter
    target.failureCount = 5;
    await clock.advance(2000);
    expect(target.refreshes).toBe(2);
    expect(clock.pendingDelays()).toEqual([5000]);

    loop.wake();
    await clock.advance(0);
    expect(target.refreshes).toBe(3);

    // inactive (pending/disconnected) engines are skipped, errors are reported and the loop goes on
    target.active = false;
    await clock.advance(5000);
    expect(target.refreshes).toBe(3);
    target.active = true;
    target.refresh = async () => {
      throw new Error('engine down');
    };
    await clock.advance(5000);
    expect(errors).toEqual(['engine down']);

    await loop.stop();
    expect(clock.sleeping).toBe(0);
  });
});
