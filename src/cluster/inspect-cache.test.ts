import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../testkit/manual-clock.js';
import { INSPECT_MAX_AGE_MS, INSPECT_MAX_ENTRIES, InspectCache, STREAM_SETTLE_MS } from './inspect-cache.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const pathOf = (id: string) => `/v1.41/containers/${id}/json`;

describe('InspectCache', () => {
  let clock: ManualClock;
  let cache: InspectCache;

  /** Stores `text` for container `id` as one request would: ticket first, answer later. */
  const fetched = (id: string, text: string) => cache.put(cache.ticket(), id, pathOf(id), text);

  beforeEach(async () => {
    clock = new ManualClock();
    cache = new InspectCache(clock);
    cache.streamOpened();
    await clock.advance(STREAM_SETTLE_MS);
  });

  it('serves a stored answer until it is older than the maximum age', async () => {
    fetched(A, '{"Id":"a"}');
    expect(cache.get(pathOf(A))).toBe('{"Id":"a"}');
    await clock.advance(INSPECT_MAX_AGE_MS - 1);
    expect(cache.get(pathOf(A))).toBe('{"Id":"a"}');
    await clock.advance(1);
    expect(cache.get(pathOf(A))).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('stores nothing before the event stream is open, and nothing while it is broken', async () => {
    const closed = new InspectCache(clock);
    expect(closed.ticket()).toBe(-1);
    closed.put(closed.ticket(), A, pathOf(A), '{}');
    expect(closed.get(pathOf(A))).toBeUndefined();

    fetched(A, '{}');
    cache.streamBroken();
    expect(cache.get(pathOf(A))).toBeUndefined();
    fetched(A, '{}');
    expect(cache.get(pathOf(A))).toBeUndefined();
    cache.streamOpened();
    await clock.advance(STREAM_SETTLE_MS);
    fetched(A, '{}');
    expect(cache.get(pathOf(A))).toBe('{}');
  });

  it('stores nothing until the stream has been open a while (the engine subscribes after sending headers)', async () => {
    cache.streamBroken();
    cache.streamOpened();
    await clock.advance(STREAM_SETTLE_MS - 1);
    expect(cache.ticket()).toBe(-1);
    await clock.advance(1);
    fetched(A, '{}');
    expect(cache.get(pathOf(A))).toBe('{}');
  });

  it('drops an answer that was on its way while something changed', () => {
    const ticket = cache.ticket();
    cache.forget(B); // any change, even of another container, may predate the answer
    cache.put(ticket, A, pathOf(A), '{"old":true}');
    expect(cache.get(pathOf(A))).toBeUndefined();
    // a request that starts after the change stores its answer
    fetched(A, '{"new":true}');
    expect(cache.get(pathOf(A))).toBe('{"new":true}');
  });

  it('drops an answer that was on its way when the stream broke and came back', () => {
    const ticket = cache.ticket();
    cache.streamBroken();
    cache.streamOpened();
    cache.put(ticket, A, pathOf(A), '{}');
    expect(cache.get(pathOf(A))).toBeUndefined();
  });

  it('forgets only the container an event names', () => {
    fetched(A, '{"a":1}');
    fetched(B, '{"b":1}');
    cache.sawEvent({ Type: 'container', Action: 'die', Actor: { ID: A } });
    expect(cache.get(pathOf(A))).toBeUndefined();
    expect(cache.get(pathOf(B))).toBe('{"b":1}');
  });

  it.each([
    ['an old-style container event', { status: 'stop', id: A }],
    ['an exec event', { Type: 'container', Action: 'exec_create: sh', Actor: { ID: A } }],
    [
      'a network connect',
      { Type: 'network', Action: 'connect', Actor: { ID: 'n1', Attributes: { container: A } } },
    ],
  ])('forgets the container on %s', (_what, ev) => {
    fetched(A, '{}');
    fetched(B, '{}');
    cache.sawEvent(ev);
    expect(cache.get(pathOf(A))).toBeUndefined();
    expect(cache.get(pathOf(B))).toBe('{}');
  });

  it('forgets everything on a daemon event and keeps answers on image and volume events', () => {
    fetched(A, '{}');
    cache.sawEvent({ Type: 'image', Action: 'pull', Actor: { ID: 'busybox' } });
    cache.sawEvent({ Type: 'volume', Action: 'create', Actor: { ID: 'v' } });
    expect(cache.get(pathOf(A))).toBe('{}');
    cache.sawEvent({ Type: 'daemon', Action: 'reload', Actor: { ID: 'D' } });
    expect(cache.get(pathOf(A))).toBeUndefined();
  });

  it('keeps one answer per path (API versions apart) and forgets them all for the container', () => {
    cache.put(cache.ticket(), A, '/v1.41/containers/x/json', '{"v":41}');
    cache.put(cache.ticket(), A, '/v1.24/containers/x/json', '{"v":24}');
    expect(cache.get('/v1.41/containers/x/json')).toBe('{"v":41}');
    expect(cache.get('/v1.24/containers/x/json')).toBe('{"v":24}');
    cache.forget(A);
    expect(cache.size).toBe(0);
  });

  it(`keeps at most ${INSPECT_MAX_ENTRIES} answers, dropping the oldest`, async () => {
    const ids = Array.from({ length: INSPECT_MAX_ENTRIES + 3 }, (_, i) => String(i).padStart(64, '0'));
    for (const id of ids) {
      fetched(id, `{"n":${Number(id)}}`);
      await clock.advance(1);
    }
    expect(cache.size).toBe(INSPECT_MAX_ENTRIES);
    for (const id of ids.slice(0, 3)) expect(cache.get(pathOf(id))).toBeUndefined();
    for (const id of ids.slice(3)) expect(cache.get(pathOf(id))).toBe(`{"n":${Number(id)}}`);
  });

  it('drops expired answers when a new one is stored', async () => {
    fetched(A, '{}');
    await clock.advance(INSPECT_MAX_AGE_MS);
    fetched(B, '{}');
    expect(cache.size).toBe(1);
  });
});
