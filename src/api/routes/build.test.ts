import { describe, expect, it } from 'vitest';
import { buildConstraints } from './build.js';

describe('buildConstraints', () => {
  it.each([
    // docker build --build-arg constraint:node==n1 → the client sends {"constraint:node":"=n1"}
    [{ 'constraint:node': '=n1' }, ['node==n1']],
    [{ 'constraint:node!': 'n1' }, ['node!=n1']],
    [{ 'constraint:region': '=/eu-.*/', VERSION: '1.2' }, ['region==/eu-.*/']],
    [{ VERSION: '1.2' }, []],
  ])('%j → %j', (args, want) => {
    expect(buildConstraints(new URLSearchParams({ buildargs: JSON.stringify(args) }))).toEqual(want);
  });

  it('ignores a missing or malformed buildargs parameter', () => {
    expect(buildConstraints(new URLSearchParams())).toEqual([]);
    expect(buildConstraints(new URLSearchParams({ buildargs: '{nope' }))).toEqual([]);
  });
});
