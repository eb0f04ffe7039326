import { describe, expect, it } from 'vitest';
import { versionBelow } from './engine.js';
import type { EngineInfo } from './engine-types.js';
import { EngineValidationError } from './errors.js';
import { engineLabels } from './labels.js';

const base: EngineInfo = {
  ID: 'X',
  Name: 'n1',
  NCPU: 2,
  MemTotal: 1,
  Driver: 'overlay2',
  KernelVersion: '6.1.0',
  OperatingSystem: 'Debian GNU/Linux 12 (bookworm)',
  OSType: 'linux',
};

describe('engineLabels', () => {
  it('has the built-ins plus daemon labels', () => {
    const { labels, warnings } = engineLabels({ ...base, Labels: ['region=eu', 'disk=ssd=fast'] });
    expect(labels).toEqual({
      storagedriver: 'overlay2',
      kernelversion: '6.1.0',
      operatingsystem: 'Debian GNU/Linux 12 (bookworm)',
      ostype: 'linux',
      region: 'eu',
      disk: 'ssd=fast',
    });
    expect(warnings).toEqual([]);
  });

  it('ignores `node` and built-in overrides with warnings', () => {
    const { labels, warnings } = engineLabels({ ...base, Labels: ['node=evil', 'storagedriver=zfs'] });
    expect(labels.node).toBeUndefined();
    expect(labels.storagedriver).toBe('overlay2');
    expect(warnings).toHaveLength(2);
  });

  it('rejects a label without =', () => {
    expect(() => engineLabels({ ...base, Labels: ['bogus'] })).toThrow(EngineValidationError);
  });

  it('adds executiondriver only when reported', () => {
    expect(engineLabels({ ...base, ExecutionDriver: 'native-0.2' }).labels.executiondriver).toBe(
      'native-0.2',
    );
    expect(engineLabels(base).labels.executiondriver).toBeUndefined();
  });
});

describe('versionBelow', () => {
  it.each([
    ['1.7.1', true],
    ['1.8.0', false],
    ['1.12.6', false],
    ['20.10.24', false],
    ['0.9', true],
    ['dev', false],
  ])('%s below 1.8 → %s', (v, want) => {
    expect(versionBelow(v, 1, 8)).toBe(want);
  });
});
