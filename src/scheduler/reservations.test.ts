import { describe, expect, it } from 'vitest';
import { container, node, request } from '../testkit/scheduler-fixtures.js';
import { seededRng } from '../util/rng.js';
import { decideAndReserve, ReservationBook } from './reservations.js';
import { Scheduler } from './scheduler.js';

describe('ReservationBook', () => {
  it('adds pending containers to the reserved node only, leaving other snapshots untouched', () => {
    const book = new ReservationBook();
    const n1 = node('n1').build();
    const n2 = node('n2').build();
    const r = book.reserve(
      n1.id,
      request().name('web').cpus(1).mem('256m').port('80:80').label('a', 'b').build(),
    );
    const [a, b] = book.apply([n1, n2]);
    expect(b).toBe(n2);
    expect(a?.containers).toHaveLength(1);
    expect(a?.containers[0]).toMatchObject({
      id: r.id,
      names: ['web'],
      state: 'pending',
      cpus: 1,
      memory: 256 * 1024 ** 2,
      requestedPorts: [{ containerPort: '80/tcp', hostIp: '', hostPort: '80' }],
      labels: { a: 'b' },
    });
    expect(n1.containers).toHaveLength(0);
  });

  it('release is idempotent and happens exactly once', () => {
    const book = new ReservationBook();
    const r1 = book.reserve('ID-n1', request().build());
    const r2 = book.reserve('ID-n1', request().build());
    expect(book.size).toBe(2);
    expect(r1.release()).toBe(true);
    expect(r1.release()).toBe(false);
    expect(book.size).toBe(1);
    expect(book.pendingOn('ID-n1')).toEqual([r2.container]);
    expect(r2.release()).toBe(true);
    expect(book.size).toBe(0);
  });

  it('keeps two reservations with the same swarm ID apart', () => {
    const book = new ReservationBook();
    const req = request().label('com.docker.swarm.id', 'x'.repeat(64)).build();
    const a = book.reserve('ID-n1', req);
    book.reserve('ID-n1', req);
    a.release();
    expect(book.size).toBe(1);
  });

  it('skips a pending container once the node reports it (same swarm ID)', () => {
    const book = new ReservationBook();
    const sid = 'e'.repeat(64);
    book.reserve('ID-n1', request().label('com.docker.swarm.id', sid).build());
    const done = node('n1').container(container('web').label('com.docker.swarm.id', sid)).build();
    expect(book.apply([done])[0]!.containers).toHaveLength(1);
  });

  it('adds only the pending containers a node does not report yet, as the book changes', () => {
    const book = new ReservationBook();
    const [s1, s2, s3] = ['a', 'b', 'c'].map((c) => c.repeat(64)) as [string, string, string];
    const n1 = node('n1').container(container('web').label('com.docker.swarm.id', s1)).build();
    book.reserve(n1.id, request().label('com.docker.swarm.id', s1).build());
    expect(book.apply([n1])[0]).toBe(n1);
    const r2 = book.reserve(n1.id, request().label('com.docker.swarm.id', s2).build());
    // the same snapshot again, now with one reservation it does not report
    expect(book.apply([n1])[0]!.containers.map((c) => c.labels['com.docker.swarm.id'])).toEqual([s1, s2]);
    book.reserve(n1.id, request().label('com.docker.swarm.id', s3).build());
    expect(book.apply([n1])[0]!.containers).toHaveLength(3);
    r2.release();
    expect(book.apply([n1])[0]!.containers.map((c) => c.labels['com.docker.swarm.id'])).toEqual([s1, s3]);
  });
});

describe('decideAndReserve', () => {
  it('makes concurrent creates see each other: ports, slots, resources, spreading', () => {
    const s = new Scheduler({ rng: seededRng(1) });
    const book = new ReservationBook();
    const nodes = [node('n1').cpus(2).build(), node('n2').cpus(2).build()];
    const a = decideAndReserve(s, book, request().port('80:80').build(), nodes);
    const b = decideAndReserve(s, book, request().port('80:80').build(), nodes);
    const c = decideAndReserve(s, book, request().port('80:80').build(), nodes);
    expect(a.decision.ok && b.decision.ok).toBe(true);
    expect(a.reservation?.nodeId).not.toBe(b.reservation?.nodeId);
    expect(c.decision.ok).toBe(false);
    expect(c.reservation).toBeUndefined();
    a.reservation?.release();
    const d = decideAndReserve(s, book, request().port('80:80').build(), nodes);
    expect(d.reservation?.nodeId).toBe(a.reservation?.nodeId);
  });

  it('names the pending create holding a name until it is released', () => {
    const book = new ReservationBook();
    const r = book.reserve('ID-n1', request().name('web').build());
    book.reserve('ID-n2', request().name('db').build());
    expect(book.nameHolder('/web')).toMatchObject({ nodeId: 'ID-n1', container: { state: 'pending' } });
    expect(book.nameHolder('db')?.nodeId).toBe('ID-n2');
    expect(book.nameHolder('cache')).toBeUndefined();
    expect(book.nameHolder('')).toBeUndefined();
    r.release();
    expect(book.nameHolder('web')).toBeUndefined();
  });
});
