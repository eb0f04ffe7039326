import { describe, expect, it } from 'vitest';
import { FilterNotSupportedError } from '../errors.js';
import { createFilters, DEFAULT_FILTERS } from './registry.js';

describe('filter registry', () => {
  it('builds the default list in the tutorial order', () => {
    expect(createFilters().map((f) => f.name)).toEqual([
      'health',
      'port',
      'containerslots',
      'dependency',
      'affinity',
      'constraint',
    ]);
    expect(DEFAULT_FILTERS).not.toContain('whitelist');
  });

  it('keeps the order given', () => {
    expect(createFilters(['constraint', 'whitelist', 'health']).map((f) => f.name)).toEqual([
      'constraint',
      'whitelist',
      'health',
    ]);
  });

  it.each(['nope', 'toString', '__proto__', ''])('rejects %j listing valid names', (name) => {
    expect(() => createFilters([name])).toThrow(FilterNotSupportedError);
    expect(() => createFilters([name])).toThrow(
      `filter not supported: ${name} (valid: health, port, containerslots, dependency, affinity, constraint, whitelist)`,
    );
  });
});
