import { describe, expect, it } from 'vitest';
import { container, node, request } from '../../testkit/scheduler-fixtures.js';
import { seededRng } from '../../util/rng.js';
import { StrategyNotSupportedError } from '../errors.js';
import type { NodeSnapshot } from '../types.js';
import { BinpackStrategy } from './binpack-strategy.js';
import { RandomStrategy } from './random-strategy.js';
import { createStrategy } from './registry.js';
import { SpreadStrategy } from './spread-strategy.js';

const names = (r: { node: NodeSnapshot }[]) => r.map((x) => x.node.name);

describe('SpreadStrategy', () => {
  const s = new SpreadStrategy({ rng: seededRng(7) });

  it.each<[string, NodeSnapshot[], ReturnType<typeof request>, string]>([
    [
      'fewest containers wins without requests',
      [node('a').containers(2).build(), node('b').containers(1).build()],
      request(),
      'b',
    ],
    // Kept quirk: stopped containers count (Swarm counts every state).
    [
      'stopped containers count',
      [
        node('a').container(container().state('exited'), container().state('exited')).build(),
        node('b').containers(1).build(),
      ],
      request(),
      'b',
    ],
    [
      'least loaded by cpu',
      [node('a').cpus(4).container(container().cpus(2)).build(), node('b').cpus(4).build()],
      request().cpus(1),
      'b',
    ],
    [
      'least loaded by memory, even with more containers',
      [
        node('a').mem('4g').container(container().mem('3g')).build(),
        node('b').mem('4g').containers(3).build(),
      ],
      request().mem('256m'),
      'b',
    ],
    [
      'bigger node is less loaded in percent',
      [
        node('a').cpus(2).container(container().cpus(1)).build(),
        node('b').cpus(8).container(container().cpus(1)).build(),
      ],
      request().cpus(1),
      'b',
    ],
    [
      'recent failures push a node back',
      [node('a').health(66).build(), node('b').containers(5).build()],
      request(),
      'b',
    ],
    [
      'node without room is skipped',
      [node('a').cpus(1).build(), node('b').cpus(4).containers(9).build()],
      request().cpus(2),
      'b',
    ],
  ])('%s', (_t, nodes, req, want) => {
    expect(s.rank(req.build(), nodes)[0]!.node.name).toBe(want);
  });

  it('ranks with scores: weight = cpu + memory − 10 × health', () => {
    const r = s.rank(request().build(), [node('a').containers(1).build(), node('b').build()]);
    expect(names(r)).toEqual(['b', 'a']);
    expect(r[0]).toMatchObject({
      score: -800,
      components: { cpu: 100, memory: 100, health: -1000, containers: 0 },
    });
  });

  it('breaks full ties with the injected rng (every tied node can win)', () => {
    const nodes = ['a', 'b', 'c'].map((n) => node(n).build());
    const winners = new Set<string>();
    const st = new SpreadStrategy({ rng: seededRng(3) });
    for (let i = 0; i < 60; i++) winners.add(st.rank(request().build(), nodes)[0]!.node.name);
    expect([...winners].sort()).toEqual(['a', 'b', 'c']);
  });

  it('is deterministic for a given seed', () => {
    const nodes = ['a', 'b', 'c', 'd'].map((n) => node(n).build());
    const run = () => names(new SpreadStrategy({ rng: seededRng(42) }).rank(request().build(), nodes));
    expect(run()).toEqual(run());
  });

  it('returns nothing when no node has room', () => {
    expect(s.rank(request().mem('2g').build(), [node('a').mem('1g').build()])).toEqual([]);
  });
});

describe('BinpackStrategy', () => {
  const b = new BinpackStrategy({ rng: seededRng(7) });

  it.each<[string, NodeSnapshot[], ReturnType<typeof request>, string]>([
    [
      'most containers wins without requests',
      [node('a').containers(2).build(), node('b').containers(1).build()],
      request(),
      'a',
    ],
    [
      'fullest node that still fits',
      [
        node('a').cpus(4).container(container().cpus(2)).build(),
        node('b').cpus(4).container(container().cpus(3)).build(),
      ],
      request().cpus(1),
      'b',
    ],
    [
      'a node that would overflow is skipped',
      [
        node('a').cpus(4).container(container().cpus(2)).build(),
        node('b').cpus(4).container(container().cpus(4)).build(),
      ],
      request().cpus(1),
      'a',
    ],
    [
      'recent failures push a node back',
      [node('a').health(66).containers(5).build(), node('b').build()],
      request(),
      'b',
    ],
  ])('%s', (_t, nodes, req, want) => {
    expect(b.rank(req.build(), nodes)[0]!.node.name).toBe(want);
  });

  it('weight = cpu + memory + 10 × health', () => {
    expect(b.rank(request().build(), [node('a').build()])[0]!.score).toBe(1200);
  });
});

describe('RandomStrategy', () => {
  it('shuffles without any resource check', () => {
    const r = new RandomStrategy({ rng: seededRng(1) });
    const nodes = [node('a').cpus(1).build(), node('b').cpus(1).build()];
    const ranked = r.rank(request().cpus(64).build(), nodes);
    expect(names(ranked).sort()).toEqual(['a', 'b']);
  });

  it('every node can come first', () => {
    const r = new RandomStrategy({ rng: seededRng(9) });
    const nodes = ['a', 'b', 'c', 'd'].map((n) => node(n).build());
    const first = new Set<string>();
    for (let i = 0; i < 100; i++) first.add(r.rank(request().build(), nodes)[0]!.node.name);
    expect(first.size).toBe(4);
  });
});

describe('strategy registry', () => {
  it.each([
    ['spread', 'spread'],
    ['binpack', 'binpack'],
    ['binpacking', 'binpack'],
    ['random', 'random'],
  ])('%s → %s', (name, want) => {
    expect(createStrategy(name).name).toBe(want);
  });

  it('defaults to spread and rejects unknown names', () => {
    expect(createStrategy().name).toBe('spread');
    expect(() => createStrategy('fair')).toThrow(StrategyNotSupportedError);
    expect(() => createStrategy('fair')).toThrow(
      'strategy not supported: fair (valid: spread, binpack, binpacking, random)',
    );
  });
});

describe('ranking limit', () => {
  it.each(['spread', 'binpack'])('%s: the best k equal the prefix of the full ranking', (name) => {
    const nodes = Array.from({ length: 40 }, (_, i) =>
      node(`n${i}`)
        .cpus(8)
        .containers(i % 5)
        .health(i % 7 === 0 ? 50 : 100)
        .container(container().cpus(i % 4))
        .build(),
    );
    const full = createStrategy(name, { rng: seededRng(4) }).rank(request().cpus(1).build(), nodes);
    for (const k of [1, 3, 10, 39, 40, 100]) {
      const top = createStrategy(name, { rng: seededRng(4) }).rank(request().cpus(1).build(), nodes, k);
      expect(names(top)).toEqual(names(full).slice(0, k));
    }
  });

  it('random: k first positions', () => {
    const nodes = ['a', 'b', 'c', 'd'].map((n) => node(n).build());
    expect(new RandomStrategy({ rng: seededRng(1) }).rank(request().build(), nodes, 2)).toHaveLength(2);
  });
});
