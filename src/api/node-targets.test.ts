import { describe, expect, it } from 'vitest';
import { fakeNode } from '../testkit/fake-cluster.js';
import { volumeTargets } from './node-targets.js';

const nodes = ['node-0', 'node-1', 'node-2'].map((name, i) =>
  fakeNode({ name, ip: `10.0.0.${i + 1}`, addr: `10.0.0.${i + 1}:2376` }),
);
const names = (labels: Record<string, string> | undefined) => volumeTargets(nodes, labels).map((n) => n.name);

describe('volumeTargets', () => {
  it.each([
    [undefined, ['node-0', 'node-1', 'node-2']],
    [{ other: 'x' }, ['node-0', 'node-1', 'node-2']],
    [{ 'com.docker.swarm.whitelists': '["node==node-1|node-2"]' }, ['node-1', 'node-2']],
    [{ 'com.docker.swarm.whitelists': '["node==node-1|node-2","node==node-2"]' }, ['node-2']],
    [{ 'com.docker.swarm.whitelists': '["node==~node-0"]' }, ['node-0']],
  ])('%j → %j', (labels, want) => {
    expect(names(labels)).toEqual(want);
  });
  it('refuses a whitelist no node passes, and a label that is not a JSON list', () => {
    expect(() => names({ 'com.docker.swarm.whitelists': '["node==node-9"]' })).toThrow(
      'unable to find a node that satisfies the whitelist node==node-9',
    );
    expect(() => names({ 'com.docker.swarm.whitelists': 'node==node-1' })).toThrow(
      'invalid label com.docker.swarm.whitelists',
    );
  });
});
