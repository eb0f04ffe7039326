import { EtcdLeaseInvalidError, GRPCDeadlineExceededError, GRPCUnavailableError, type Lease } from 'etcd3';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../util/clock.js';
import { KEEPALIVE_ATTEMPT_MS, renewLease } from './lease-renewal.js';

/** A clock whose sleeps pass at once (time jumps by the sleep). */
function jumpingClock(): Clock & { t: number } {
  const c = {
    t: 0,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms;
    },
  };
  return c;
}

/**
 * A lease whose keepalives play `script` in order: 'ok' answers, 'down' fails at once (a stopped member), 'silent'
 * fails at its deadline (a member that does not answer), 'gone' is etcd saying the lease expired.
 */
function scriptedLease(clock: { t: number }, script: ('ok' | 'down' | 'silent' | 'gone')[]) {
  const deadlines: number[] = [];
  let i = 0;
  const lease = {
    revoked: () => false,
    keepaliveOnce: async (opts?: { deadline?: Date }) => {
      const step = script[i++] ?? 'ok';
      const d = opts?.deadline ? opts.deadline.getTime() - Date.now() : Number.POSITIVE_INFINITY;
      deadlines.push(d);
      if (step === 'ok') return {};
      if (step === 'down') throw new GRPCUnavailableError('connection refused');
      if (step === 'gone') throw new EtcdLeaseInvalidError('42');
      clock.t += Math.round(d);
      throw new GRPCDeadlineExceededError('deadline exceeded');
    },
  };
  return { lease: lease as unknown as Lease, deadlines, calls: () => i };
}

const signal = new AbortController().signal;

describe('renewLease', () => {
  it('tries again at once after a member that is down, instead of waiting a period', async () => {
    const clock = jumpingClock();
    const l = scriptedLease(clock, ['down', 'down', 'ok']);
    const r = await renewLease(l.lease, { lastOk: 0, ttlMs: 3000, clock, signal });
    expect(r.ok).toBe(true);
    expect(l.calls()).toBe(3);
    expect(clock.t).toBeLessThan(500);
  });

  it('gives each keepalive a deadline, never past the TTL, so a silent member costs one attempt', async () => {
    const clock = jumpingClock();
    const l = scriptedLease(clock, ['silent', 'ok']);
    const r = await renewLease(l.lease, { lastOk: 0, ttlMs: 3000, clock, signal });
    expect(r).toMatchObject({ ok: true });
    expect(l.deadlines[0]).toBeLessThanOrEqual(KEEPALIVE_ATTEMPT_MS);
    expect(l.deadlines[0]).toBeGreaterThan(KEEPALIVE_ATTEMPT_MS - 200);
    const late = scriptedLease(jumpingClock(), ['ok']);
    await renewLease(late.lease, { lastOk: -2700, ttlMs: 3000, clock: jumpingClock(), signal });
    expect(late.deadlines[0]).toBeLessThanOrEqual(300);
  });

  it('reports the lease gone when etcd says so, without retrying', async () => {
    const clock = jumpingClock();
    const l = scriptedLease(clock, ['gone', 'ok']);
    const r = await renewLease(l.lease, { lastOk: 0, ttlMs: 3000, clock, signal });
    expect(r).toMatchObject({ ok: false, gone: true });
    expect(l.calls()).toBe(1);
  });

  it('gives up when the TTL since the last renewal has passed', async () => {
    const clock = jumpingClock();
    const l = scriptedLease(clock, Array(100).fill('silent'));
    const r = await renewLease(l.lease, { lastOk: 0, ttlMs: 3000, clock, signal });
    expect(r).toMatchObject({ ok: false, gone: false });
    expect(clock.t).toBeGreaterThanOrEqual(3000);
    expect(l.calls()).toBeLessThanOrEqual(3);
  });
});
