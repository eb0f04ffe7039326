import { describe, expect, it } from 'vitest';
import { naturalCompare } from './natural-compare.js';

describe('naturalCompare', () => {
  it('orders numbers inside names by value, ignoring case', () => {
    expect(['node10', 'Node2', 'node1', 'a'].sort(naturalCompare)).toEqual(['a', 'node1', 'Node2', 'node10']);
    expect(['node-10', 'node-2', 'node-1'].sort(naturalCompare)).toEqual(['node-1', 'node-2', 'node-10']);
    expect(naturalCompare('Node2', 'node2')).toBe(0);
  });
});
