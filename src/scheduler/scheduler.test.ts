import { describe, expect, it } from 'vitest';
import { container, node, request } from '../testkit/scheduler-fixtures.js';
import { seededRng } from '../util/rng.js';
import { FilterNotSupportedError, StrategyNotSupportedError } from './errors.js';
import { Scheduler } from './scheduler.js';

const nodes = [
  node('n1').label('region', 'eu').cpus(2).build(),
  node('n2').label('region', 'us').cpus(2).containers(1).build(),
  node('n3').label('region', 'us').cpus(2).state('unhealthy').build(),
];

function sched(opts: ConstructorParameters<typeof Scheduler>[0] = {}) {
  return new Scheduler({ rng: seededRng(5), ...opts });
}

describe('Scheduler.decide', () => {
  it('chooses with the strategy and reports the ranking', () => {
    const d = sched().decide(request().build(), nodes);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.node.name).toBe('n1');
    expect(d.pass).toBe(1);
    expect(d.ranking.map((r) => [r.node.name, r.score])).toEqual([
      ['n1', -800],
      ['n2', -800],
    ]);
    expect(d.rejections).toEqual([{ node: 'n3', filter: 'health', reason: 'node is unhealthy (health 0)' }]);
  });

  it('rejectionsOf gives a decision its own rejections again, for either pass', () => {
    const s = sched();
    const more = [
      ...nodes,
      node('p').state('pending').build(),
      node('d').state('disconnected').build(),
      node('n4').label('region', 'eu').cpus(2).containers(2).build(),
    ];
    const requests = [
      request().build(),
      request().constraint('region==eu').build(),
      request().constraint('region!=eu').build(),
      request().constraint('region==~asia').build(),
      request().constraint('region==~asia').constraint('node!=n1').build(),
    ];
    const passes: number[] = [];
    for (const req of requests) {
      const d = s.decide(req, more);
      expect(d.ok).toBe(true);
      if (!d.ok) continue;
      passes.push(d.pass);
      expect(d.rejections.length).toBeGreaterThan(0);
      expect(s.rejectionsOf(req, more, d.pass)).toEqual(d.rejections);
    }
    expect(passes).toEqual([1, 1, 1, 2, 2]);
  });

  it('excludes pending and disconnected engines before filtering', () => {
    const d = sched({ filters: [] }).decide(request().build(), [
      node('p').state('pending').build(),
      node('d').state('disconnected').build(),
      node('ok').containers(3).build(),
    ]);
    expect(d.ok && d.node.name).toBe('ok');
  });

  it('answers the health filter message as is, then the summary line', () => {
    const d = sched().decide(request().build(), [node('n3').state('unhealthy').build()]);
    expect(d).toMatchObject({
      ok: false,
      message: 'No healthy node available in the cluster\n0/1 nodes are available: 1 unhealthy.',
      summary: '0/1 nodes are available: 1 unhealthy.',
    });
  });

  it('counts pending and disconnected engines as unhealthy in the summary', () => {
    const d = sched().decide(request().constraint('node==ok').build(), [
      node('p').state('pending').build(),
      node('ok').build(),
      node('other').build(),
    ]);
    expect(d.ok && d.summary).toBe('1/3 nodes are available');
    const miss = sched().decide(request().constraint('node==x').build(), [
      node('p').state('pending').build(),
      node('a').build(),
      node('b').build(),
    ]);
    expect(miss.ok).toBe(false);
    if (miss.ok) return;
    expect(miss.summary).toBe('0/3 nodes are available: 2 rejected by constraint node==x, 1 unhealthy.');
    expect(miss.message.split('\n').slice(0, 4)).toEqual([
      'Unable to find a node that satisfies the following conditions ',
      '[available container slots]',
      '[node==x (soft=false)]',
      '0/3 nodes are available: 2 rejected by constraint node==x, 1 unhealthy.',
    ]);
    // the node left out before the filters is counted, not listed
    expect(miss.message).not.toContain('p rejected');
  });

  it('with no engines: health message if the health filter is on, else "No nodes available"', () => {
    expect(sched().decide(request().build(), [])).toMatchObject({
      message: 'No healthy node available in the cluster',
    });
    expect(sched({ filters: ['constraint'] }).decide(request().build(), [])).toMatchObject({
      message: 'No nodes available in the cluster',
    });
  });

  it('builds the Swarm message up to the failing filter, then explains per node', () => {
    const n = [
      node('n1').label('region', 'us').build(),
      node('n2').container(container('web').port('80:80')).build(),
    ];
    const d = sched().decide(
      request().port('80:80').constraint('region==eu').affinity('image!=x').build(),
      n,
    );
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.message).toBe(
      [
        'Unable to find a node that satisfies the following conditions ',
        '[port 80 (Bridge mode)]',
        '[available container slots]',
        '[image!=x (soft=false)]',
        '[region==eu (soft=false)]',
        '0/2 nodes are available: 1 rejected by port 80 (Bridge mode), 1 rejected by constraint region==eu.',
        'port: n2 rejected (port 80 taken by container web (running, 0.0.0.0:80))',
        'constraint: n1 rejected (region=us does not satisfy region==eu)',
      ].join('\n'),
    );
    expect(d.rejections).toHaveLength(2);
  });

  it('soft rules: pass 1 honours them, pass 2 drops them', () => {
    const s = sched();
    const soft = s.decide(request().constraint('region==~eu').build(), nodes);
    expect(soft.ok && [soft.node.name, soft.pass]).toEqual(['n1', 1]);
    const fallback = s.decide(request().constraint('region==~asia').build(), nodes);
    expect(fallback.ok && [fallback.node.name, fallback.pass]).toEqual(['n1', 2]);
    const hard = s.decide(request().constraint('region==~asia').constraint('region==us').build(), nodes);
    expect(hard.ok && [hard.node.name, hard.pass]).toEqual(['n2', 2]);
  });

  it('pass 2 also runs when pass 1 fails for lack of resources', () => {
    const n = [
      node('big').label('disk', 'hdd').cpus(8).build(),
      node('small').label('disk', 'ssd').cpus(1).build(),
    ];
    const d = sched().decide(request().cpus(4).constraint('disk==~ssd').build(), n);
    expect(d.ok && [d.node.name, d.pass]).toEqual(['big', 2]);
  });

  it('the error of pass 2 is returned', () => {
    const d = sched().decide(request().constraint('region==~eu').constraint('region==asia').build(), nodes);
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.message.split('\n').slice(0, 5)).toEqual([
      'Unable to find a node that satisfies the following conditions ',
      '[available container slots]',
      '[region==eu (soft=true) region==asia (soft=false)]',
      '0/3 nodes are available: 2 rejected by constraint region==eu region==asia, 1 unhealthy.',
      'health: n3 rejected (node is unhealthy (health 0))',
    ]);
    expect(d.message).toContain('constraint: n1 rejected (region=eu does not satisfy region==asia)');
    expect(d.message).not.toContain('(soft)');
  });

  it('answers "no resources" with the shortfall per node', () => {
    const d = sched().decide(request().cpus(4).build(), nodes);
    expect(d).toMatchObject({ ok: false });
    if (d.ok) return;
    expect(d.message).toBe(
      [
        'no resources available to schedule container',
        '0/3 nodes are available: 2 without room (spread), 1 unhealthy.',
        'health: n3 rejected (node is unhealthy (health 0))',
        'spread: n1 rejected (needs 4 CPUs, 0 of 2 reserved)',
        'spread: n2 rejected (needs 4 CPUs, 0 of 2 reserved)',
      ].join('\n'),
    );
  });

  it('random ignores resources', () => {
    const d = sched({ strategy: 'random' }).decide(request().cpus(64).build(), nodes);
    expect(d.ok).toBe(true);
  });

  it('caps explanation lines per filter', () => {
    const many = Array.from({ length: 15 }, (_, i) => node(`n${i}`).build());
    const d = sched({ maxReasonsPerFilter: 3 }).decide(request().constraint('node==none').build(), many);
    if (d.ok) throw new Error('expected failure');
    expect(d.rejections).toHaveLength(15);
    expect(d.message.split('\n').filter((l) => l.startsWith('constraint: '))).toHaveLength(4);
    expect(d.message).toContain('constraint: ... and 12 more nodes rejected');
  });

  it('resolves names through the registries and lists filter names', () => {
    const s = sched({ strategy: 'binpacking', filters: ['health', 'whitelist'] });
    expect(s.strategy.name).toBe('binpack');
    expect(s.filterNames).toEqual(['health', 'whitelist']);
    expect(sched().filterNames).toEqual([
      'health',
      'port',
      'containerslots',
      'dependency',
      'affinity',
      'constraint',
    ]);
    expect(() => sched({ filters: ['nope'] })).toThrow(FilterNotSupportedError);
    expect(() => sched({ strategy: 'nope' })).toThrow(StrategyNotSupportedError);
  });
});

describe('Scheduler ranking size', () => {
  it('carries the best 10 by default, or rankingLimit', () => {
    const many = Array.from({ length: 30 }, (_, i) => node(`n${i}`).containers(i).build());
    const d = sched().decide(request().build(), many);
    expect(d.ok && d.ranking.map((r) => r.node.name)).toEqual(Array.from({ length: 10 }, (_, i) => `n${i}`));
    const all = sched({ rankingLimit: Number.POSITIVE_INFINITY }).decide(request().build(), many);
    expect(all.ok && all.ranking).toHaveLength(30);
  });
});
