/**
 * Property tests over random clusters and request streams (fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { container, node, request } from '../testkit/scheduler-fixtures.js';
import { seededRng } from '../util/rng.js';
import { decideAndReserve, type Reservation, ReservationBook } from './reservations.js';
import { Scheduler } from './scheduler.js';
import { usedResources } from './strategies/weigh.js';
import type { NodeSnapshot } from './types.js';

const GiB = 1024 ** 3;

describe('properties', () => {
  it('spread never leaves a node empty while another has two more (no resource requests)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer(),
        (n, k, seed) => {
          const s = new Scheduler({ strategy: 'spread', rng: seededRng(seed) });
          let nodes: NodeSnapshot[] = Array.from({ length: n }, (_, i) => node(`n${i}`).build());
          for (let i = 0; i < k; i++) {
            const d = s.decide(request().build(), nodes);
            if (!d.ok) throw new Error(d.message);
            nodes = nodes.map((x) =>
              x === d.node ? { ...x, containers: [...x.containers, container().build()] } : x,
            );
            const counts = nodes.map((x) => x.containers.length);
            expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('spread with starting imbalance: the chosen node always has the fewest containers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 8 }), { minLength: 1, maxLength: 10 }),
        fc.integer(),
        (counts, seed) => {
          const nodes = counts.map((c, i) => node(`n${i}`).containers(c).build());
          const d = new Scheduler({ rng: seededRng(seed) }).decide(request().build(), nodes);
          expect(d.ok && d.node.containers.length).toBe(Math.min(...counts));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('binpack never exceeds capacity without overcommit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ cpus: fc.integer({ min: 1, max: 8 }), mem: fc.integer({ min: 1, max: 8 }) }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.array(fc.record({ cpus: fc.nat({ max: 4 }), mem: fc.nat({ max: 3 * GiB }) }), { maxLength: 40 }),
        fc.integer(),
        (caps, reqs, seed) => {
          const s = new Scheduler({ strategy: 'binpack', rng: seededRng(seed) });
          let nodes = caps.map((c, i) =>
            node(`n${i}`)
              .cpus(c.cpus)
              .mem(c.mem * GiB)
              .build(),
          );
          for (const r of reqs) {
            const d = s.decide(request().cpus(r.cpus).mem(r.mem).build(), nodes);
            if (!d.ok) continue;
            const placed = container().cpus(r.cpus).mem(r.mem).build();
            nodes = nodes.map((x) =>
              x.id === d.node.id ? { ...x, containers: [...x.containers, placed] } : x,
            );
          }
          for (const x of nodes) {
            const used = usedResources(x);
            expect(used.cpus).toBeLessThanOrEqual(x.totalCpus);
            expect(used.memory).toBeLessThanOrEqual(x.totalMemory);
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('reservations never overbook under many interleaved creates, and each is released exactly once', () => {
    type Op =
      | { kind: 'create'; cpus: number; mem: number; port: number | null }
      | { kind: 'finish'; pick: number; ok: boolean };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        kind: fc.constant('create' as const),
        cpus: fc.nat({ max: 2 }),
        mem: fc.nat({ max: 2 * GiB }),
        port: fc.option(fc.integer({ min: 80, max: 82 })),
      }),
      fc.record({ kind: fc.constant('finish' as const), pick: fc.nat(), ok: fc.boolean() }),
    );
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 80 }),
        fc.constantFrom('spread', 'binpack'),
        fc.integer(),
        (ops, strategy, seed) => {
          const s = new Scheduler({ strategy, rng: seededRng(seed) });
          const book = new ReservationBook();
          // The engines' view: containers whose create finished.
          let nodes = [0, 1, 2].map((i) =>
            node(`n${i}`)
              .cpus(4)
              .mem(4 * GiB)
              .build(),
          );
          const inFlight: { r: Reservation; req: ReturnType<typeof request> }[] = [];
          let releases = 0;
          let finishes = 0;
          for (const o of ops) {
            if (o.kind === 'create') {
              const req = request().cpus(o.cpus).mem(o.mem);
              if (o.port !== null) req.port(`${o.port}:80`);
              const res = decideAndReserve(s, book, req.build(), nodes);
              if (res.reservation) inFlight.push({ r: res.reservation, req });
            } else if (inFlight.length > 0) {
              const [done] = inFlight.splice(o.pick % inFlight.length, 1);
              if (!done) continue;
              finishes++;
              if (o.ok) {
                const req = done.req.build();
                const c = {
                  ...container().cpus(req.cpus).mem(req.memory).build(),
                  requestedPorts: req.portBindings,
                };
                nodes = nodes.map((x) =>
                  x.id === done.r.nodeId ? { ...x, containers: [...x.containers, c] } : x,
                );
              }
              if (done.r.release()) releases++;
              expect(done.r.release()).toBe(false);
            }
            // Invariant: engines + pending never exceed any node, and no host port is held twice on a node.
            // Checked independently of apply(): committed containers plus the book's pending ones.
            for (const n of nodes) {
              const x = { ...n, containers: [...n.containers, ...book.pendingOn(n.id)] };
              const used = usedResources(x);
              expect(used.cpus).toBeLessThanOrEqual(x.totalCpus);
              expect(used.memory).toBeLessThanOrEqual(x.totalMemory);
              const ports = x.containers
                .flatMap((c) => c.requestedPorts.map((p) => p.hostPort))
                .filter((p) => p !== '');
              expect(new Set(ports).size).toBe(ports.length);
            }
            expect(book.size).toBe(inFlight.length);
          }
          expect(releases).toBe(finishes);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('the chosen node passes every filter of its pass; pass 2 equals deciding without the soft rules', () => {
    const regions = ['eu', 'us', 'asia'];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ region: fc.constantFrom(...regions), n: fc.nat({ max: 4 }), up: fc.boolean() }),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        fc.constantFrom(...regions, 'mars'),
        fc.constantFrom(...regions, 'mars'),
        fc.integer(),
        (specs, hard, soft, seed) => {
          const nodes = specs.map((x, i) =>
            node(`n${i}`)
              .label('region', x.region)
              .containers(x.n)
              .state(x.up ? 'healthy' : 'unhealthy')
              .build(),
          );
          const s = new Scheduler({ rng: seededRng(seed), filters: ['health', 'constraint'] });
          const req = request().constraint(`region!=${hard}`).constraint(`region==~${soft}`).build();
          const d = s.decide(req, nodes);
          if (d.ok) {
            for (const f of s.filters) expect(f.check(req, d.node, { soft: d.pass === 1 }).ok).toBe(true);
          }
          if (!d.ok || d.pass === 2) {
            const hardOnly = request().constraint(`region!=${hard}`).build();
            const again = new Scheduler({ rng: seededRng(seed), filters: ['health', 'constraint'] }).decide(
              hardOnly,
              nodes,
            );
            expect(again.ok).toBe(d.ok);
            if (again.ok && d.ok) expect(again.node.containers.length).toBe(d.node.containers.length);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
