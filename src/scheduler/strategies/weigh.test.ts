import { describe, expect, it } from 'vitest';
import { container, node, request } from '../../testkit/scheduler-fixtures.js';
import { seededRng } from '../../util/rng.js';
import {
  applyOvercommit,
  rankNodes,
  resourceShortfall,
  toRanking,
  usedResources,
  weighNodes,
} from './weigh.js';

describe('applyOvercommit', () => {
  it.each([
    [4, 0.05, 4], // 4*5/100 = 0 in integer arithmetic
    [100, 0.05, 105],
    [2 * 1024 ** 3, 0.05, 2 * 1024 ** 3 + Math.trunc((2 * 1024 ** 3 * 5) / 100)],
    [100, 0, 100],
    [100, 1, 200],
    [100, 0.29, 128], // int(0.29*100) = 28 through float rounding, as in Go
    [100, -0.5, 50], // under-commit
    [3, -0.5, 2], // 3*-50/100 = -1.5 → trunc toward zero = -1
  ])('%d with %d → %d', (real, ratio, want) => {
    expect(applyOvercommit(real, ratio)).toBe(want);
  });
});

describe('weighNodes (Swarm integer arithmetic)', () => {
  const rng = seededRng(1);
  it.each([
    // [title, request cpus, request mem, node cpus, node mem (MiB), used cpus, used mem (MiB), health, cpu, mem]
    ['no request: 100 + 100', 0, 0, 4, 1024, 0, 0, 100, 100, 100],
    ['cpu only', 1, 0, 4, 1024, 1, 0, 100, 50, 100],
    ['truncated cpu', 1, 0, 3, 1024, 0, 0, 100, 33, 100],
    ['memory', 0, 256, 4, 1024, 0, 512, 100, 100, 75],
    ['exactly full', 2, 512, 4, 1024, 2, 512, 100, 100, 100],
    ['health 50', 0, 0, 4, 1024, 0, 0, 50, 100, 100],
  ])('%s', (_t, rc, rm, nc, nm, uc, um, h, cpu, mem) => {
    const n = node('n')
      .cpus(nc)
      .mem(nm * 1024 ** 2)
      .health(h)
      .container(
        container()
          .cpus(uc)
          .mem(um * 1024 ** 2),
      )
      .build();
    const req = request()
      .cpus(rc)
      .mem(rm * 1024 ** 2)
      .build();
    const [w] = weighNodes(req, [n], -10, rng, true);
    expect(w).toMatchObject({ cpu, memory: mem, health: -10 * h, weight: cpu + mem - 10 * h });
  });

  const MiB = 1024 ** 2;
  it.each([
    ['node smaller than the cpu request', 8, 0],
    ['node smaller than the memory request', 0, 4096 * MiB],
    ['cpu over 100%', 3, 0],
    ['memory over 100%', 0, 768 * MiB],
    // Deliberate fix: Swarm's truncated score would still be 100 here (1 byte over of 1 GiB).
    ['over by less than 1%', 0, 512 * MiB + 1],
  ])('drops: %s', (_t, rc, rm) => {
    const n = node('n').cpus(4).mem('1g').container(container().cpus(2).mem('512m')).build();
    const req = request().cpus(rc).mem(rm).build();
    expect(weighNodes(req, [n], 10, rng, false)).toEqual([]);
    expect(resourceShortfall(req, n)).toMatch(/needs/);
  });

  it('counts stopped and pending containers as used', () => {
    const n = node('n')
      .cpus(2)
      .container(container().cpus(1).state('exited'), container().cpus(1).state('pending'))
      .build();
    expect(weighNodes(request().cpus(1).build(), [n], 10, rng, false)).toEqual([]);
  });

  it('an already overbooked dimension that is not requested does not matter', () => {
    const n = node('n').cpus(1).container(container().cpus(3)).build();
    expect(weighNodes(request().mem('1m').build(), [n], 10, rng, false)).toHaveLength(1);
  });
});

describe('rankNodes', () => {
  it('keeps the same top nodes, in the same order, as ranking every node', () => {
    // many ties (same load, same count) and a few distinct loads, so the random tie-break decides much
    const nodes = Array.from({ length: 200 }, (_, i) => {
      const n = node(`n${i}`)
        .cpus(4)
        .mem(1024 ** 3);
      for (let c = 0; c < i % 3; c++) n.container(container().mem((i % 7) * 1024 ** 2));
      return n.build();
    });
    const req = request()
      .mem(64 * 1024 ** 2)
      .build();
    for (const [factor, ascending] of [
      [-10, true],
      [10, false],
    ] as const) {
      for (const limit of [1, 10, 199, 200, 500]) {
        const all = toRanking(weighNodes(req, nodes, factor, seededRng(7), ascending), limit);
        const top = rankNodes(req, nodes, factor, seededRng(7), ascending, usedResources, limit);
        expect(top.map((r) => r.node.name)).toEqual(all.map((r) => r.node.name));
        expect(top).toHaveLength(Math.min(limit, 200));
      }
    }
  });
});
