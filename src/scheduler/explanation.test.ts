import { describe, expect, it } from 'vitest';
import { node, request } from '../testkit/scheduler-fixtures.js';
import { explainDecision } from './explanation.js';
import { Scheduler } from './scheduler.js';

const ctx = { strategy: 'spread', filters: ['health', 'constraint'], at: '2026-01-02T03:04:05.000Z' };

describe('explainDecision', () => {
  const nodes = [
    node('a').label('zone', 'x').containers(2).build(),
    node('b').label('zone', 'x').build(),
    node('c').label('zone', 'y').build(),
    node('d').state('unhealthy').build(),
  ];
  const sched = new Scheduler({ filters: ['health', 'constraint'], rng: () => 0.5 });

  it('gives every node a verdict: chosen, eligible with score and rank, rejected with filter and reason', () => {
    const e = explainDecision(sched.decide(request().constraint('zone==x').build(), nodes), nodes, ctx);
    expect(e).toMatchObject({
      node: 'b',
      strategy: 'spread',
      at: ctx.at,
      summary: '2/4 nodes are available',
    });
    expect(e.error).toBeUndefined();
    expect(e.nodes.map((n) => [n.name, n.verdict, n.rank, n.filter])).toEqual([
      ['a', 'eligible', 2, undefined],
      ['b', 'chosen', 1, undefined],
      ['c', 'rejected', undefined, 'constraint'],
      ['d', 'rejected', undefined, 'health'],
    ]);
    expect(e.nodes[2]?.reason).toBe('zone=y does not satisfy zone==x');
    expect(typeof e.nodes[0]?.score).toBe('number');
  });

  it('explains a miss: no node, the summary line, the error', () => {
    const d = sched.decide(request().constraint('zone==z').build(), nodes);
    const e = explainDecision(d, nodes, { ...ctx, container: 'abc' });
    expect(e.node).toBeNull();
    expect(e.container).toBe('abc');
    expect(e.summary).toBe('0/4 nodes are available: 3 rejected by constraint zone==z, 1 unhealthy.');
    expect(e.error).toContain('Unable to find a node that satisfies the following conditions');
    expect(e.nodes.every((n) => n.verdict === 'rejected')).toBe(true);
  });

  it('leaves unscored eligible nodes out when asked', () => {
    const few = new Scheduler({ filters: ['health'], rankingLimit: 1, rng: () => 0.5 });
    const d = few.decide(request().build(), nodes);
    expect(explainDecision(d, nodes, ctx).nodes).toHaveLength(4);
    const kept = explainDecision(d, nodes, { ...ctx, scoredOnly: true }).nodes;
    expect(kept.map((n) => n.verdict)).toEqual(['chosen', 'rejected']);
  });
});
