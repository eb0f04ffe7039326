import { describe, expect, it } from 'vitest';
import { seededRng } from '../util/rng.js';
import { EngineHealth, pendingRetryDue, refreshDelay } from './health.js';

describe('EngineHealth', () => {
  it('turns unhealthy exactly at failureRetry failures and back on success', () => {
    const h = new EngineHealth(3);
    h.state = 'healthy';
    expect(h.failure('boom 1')).toBeUndefined();
    expect(h.failure('boom 2')).toBeUndefined();
    expect(h.state).toBe('healthy');
    expect(h.failure('boom 3')).toBe('engine_disconnect');
    expect(h.state).toBe('unhealthy');
    expect(h.lastError).toBe('boom 3');
    expect(h.failure('boom 4')).toBeUndefined();
    expect(h.success()).toBe('engine_reconnect');
    expect(h.state).toBe('healthy');
    expect(h.failureCount).toBe(0);
    expect(h.lastError).toBe('');
    expect(h.success()).toBeUndefined();
  });

  it('never leaves pending by itself', () => {
    const h = new EngineHealth(1);
    expect(h.failure('x')).toBeUndefined();
    expect(h.success()).toBeUndefined();
    expect(h.state).toBe('pending');
  });

  it.each([
    // state, failures, retry, indicator
    ['healthy', 0, 3, 100],
    ['healthy', 1, 3, 67],
    ['healthy', 2, 3, 34],
    ['healthy', 1, 4, 75],
    ['unhealthy', 0, 3, 0],
    ['pending', 0, 3, 0],
  ] as const)('healthIndicator %s with %i/%i failures = %i', (state, failures, retry, want) => {
    const h = new EngineHealth(retry);
    h.state = state;
    h.failureCount = failures;
    expect(h.healthIndicator).toBe(want);
  });
});

describe('refreshDelay', () => {
  const zero = () => 0;
  it.each([
    // min, max, failures, retry, want (rng = 0)
    [30_000, 60_000, 0, 3, 30_000],
    [30_000, 60_000, 3, 3, 30_000],
    [30_000, 60_000, 4, 3, 60_000],
    [30_000, 60_000, 8, 3, 180_000],
    [1_000, 1_000, 5000, 3, 1_001_000],
  ])('min %i max %i failures %i retry %i → %i', (min, max, failures, retry, want) => {
    expect(refreshDelay(min, max, failures, retry, zero)).toBe(want);
  });

  it('adds jitter in [0, max-min)', () => {
    const rng = seededRng(7);
    for (let i = 0; i < 200; i++) {
      const d = refreshDelay(30_000, 60_000, 0, 3, rng);
      expect(d).toBeGreaterThanOrEqual(30_000);
      expect(d).toBeLessThan(60_000);
    }
  });
});

describe('pendingRetryDue', () => {
  it.each([
    [0, 30_999, false],
    [0, 31_000, true],
    [3, 37_999, false],
    [3, 38_000, true],
    [40, 4 * 3600_000 - 1, false],
    [40, 4 * 3600_000, true],
  ])('failures %i, age %i ms → %s', (failures, age, want) => {
    expect(pendingRetryDue(1_000_000_000 + age, 1_000_000_000, failures)).toBe(want);
  });
});
