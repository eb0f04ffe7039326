import { describe, expect, it } from 'vitest';
import { isRoot, missingBinaries, which } from './preflight.js';

describe('preflight', () => {
  it('tells root from another user', () => {
    expect(isRoot(0)).toBe(true);
    expect(isRoot(65534)).toBe(false);
  });
  it('finds binaries in PATH, as given when absolute', async () => {
    expect(await which('sh', '/nonexistent:/bin')).toBe('/bin/sh');
    expect(await which('/bin/sh')).toBe('/bin/sh');
    expect(await which('no-such-binary-here')).toBeUndefined();
    expect(await which('/nonexistent/sh')).toBeUndefined();
  });
  it('lists the missing binaries in order', async () => {
    expect(await missingBinaries(['sh', 'no-such-a', 'no-such-b'], '/bin')).toEqual([
      'no-such-a',
      'no-such-b',
    ]);
  });
});
