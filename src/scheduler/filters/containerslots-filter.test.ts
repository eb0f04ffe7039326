import { describe, expect, it } from 'vitest';
import { container, node, request } from '../../testkit/scheduler-fixtures.js';
import type { NodeSnapshot } from '../types.js';
import { ContainerSlotsFilter } from './containerslots-filter.js';

const f = new ContainerSlotsFilter();

describe('ContainerSlotsFilter', () => {
  it.each<[string, NodeSnapshot, boolean]>([
    ['no label: unlimited', node('n').containers(50).build(), true],
    ['below the limit', node('n').label('containerslots', '3').containers(2).build(), true],
    ['at the limit', node('n').label('containerslots', '3').containers(3).build(), false],
    [
      'stopped and pending containers take slots',
      node('n')
        .label('containerslots', '2')
        .container(container().state('exited'), container().state('pending'))
        .build(),
      false,
    ],
    ['non-integer value: unlimited', node('n').label('containerslots', 'many').containers(9).build(), true],
    [
      'float value: unlimited (Atoi fails)',
      node('n').label('containerslots', '2.5').containers(9).build(),
      true,
    ],
    ['zero slots', node('n').label('containerslots', '0').build(), false],
    ['explicit plus sign parses', node('n').label('containerslots', '+1').containers(1).build(), false],
  ])('%s', (_t, n, want) => {
    expect(f.check(request().build(), n).ok).toBe(want);
  });

  it('explains and describes', () => {
    const v = f.check(request().build(), node('n').label('containerslots', '1').containers(1).build());
    expect(v).toEqual({ ok: false, reason: '1 containers, containerslots=1' });
    expect(f.describe()).toBe('available container slots');
  });
});
