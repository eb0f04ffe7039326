import { describe, expect, it } from 'vitest';
import type { PlacementExplanation } from '../../scheduler/explanation.js';
import { boundedExplanation } from './rescheduler.js';

function explanation(nodes: PlacementExplanation['nodes']): PlacementExplanation {
  return {
    node: 'n-7',
    strategy: 'spread',
    filters: ['health', 'constraint'],
    at: '2026-01-01T00:00:00.000Z',
    summary: `1/${nodes.length} nodes are available`,
    nodes,
  };
}

const node = (i: number, verdict: 'chosen' | 'eligible' | 'rejected', rank?: number) => ({
  name: `n-${i}`,
  id: `id-${i}`,
  addr: `10.0.0.${i}:2376`,
  verdict,
  ...(verdict === 'rejected' ? { filter: 'constraint', reason: 'no' } : {}),
  ...(rank !== undefined ? { rank, score: 100 - rank } : {}),
});

describe('boundedExplanation', () => {
  it('keeps a small explanation as it is', () => {
    const e = explanation([node(1, 'chosen', 1), node(2, 'rejected')]);
    expect(boundedExplanation(e)).toBe(e);
  });

  it('keeps 32 verdicts, the chosen and ranked nodes first, and the summary whole', () => {
    const nodes = [];
    for (let i = 0; i < 100; i++) nodes.push(node(i, 'rejected'));
    nodes.push(node(200, 'eligible', 3), node(7, 'chosen', 1), node(201, 'eligible', 2));
    const b = boundedExplanation(explanation(nodes));
    expect(b.nodes).toHaveLength(32);
    expect(b.nodes.slice(0, 3).map((n) => n.name)).toEqual(['n-7', 'n-201', 'n-200']);
    expect(b.nodes.slice(3).every((n) => n.verdict === 'rejected')).toBe(true);
    expect(b.summary).toBe('1/103 nodes are available');
    expect(b.node).toBe('n-7');
  });
});
