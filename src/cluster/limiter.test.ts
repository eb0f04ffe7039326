import { describe, expect, it } from 'vitest';
import { Limiter } from './limiter.js';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Limiter', () => {
  it('runs at most max tasks at once, the rest in FIFO order', async () => {
    const l = new Limiter(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      l.run(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect([l.running, l.queued]).toEqual([2, 2]);
    gates[1]!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.resolve();
    gates[2]!.resolve();
    gates[3]!.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect([l.running, l.queued]).toEqual([0, 0]);
  });

  it('frees the slot of a failing task and passes its error on', async () => {
    const l = new Limiter(1);
    const failing = l.run(() => Promise.reject(new Error('boom')));
    const next = l.run(async () => 'ok');
    await expect(failing).rejects.toThrow('boom');
    expect(await next).toBe('ok');
    expect(l.running).toBe(0);
  });

  it('rejects a size below 1', () => {
    expect(() => new Limiter(0)).toThrow(RangeError);
  });
});
