import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { flagSpecOf, hoistGlobalFlags, normalizeGoArgv, withGlobalFlags } from './go-flags.js';

describe('hoistGlobalFlags', () => {
  it.each([
    [
      ['-l', 'debug', 'manage', 'nodes://a:1'],
      ['manage', '--log-level', 'debug', 'nodes://a:1'],
    ],
    [
      ['--debug', 'join', '--advertise=a:1', 'etcd://e:2379'],
      ['join', '--debug', '--advertise=a:1', 'etcd://e:2379'],
    ],
    [
      ['-experimental', '-log-level=warn', 'm', 'x'],
      ['m', '--experimental', '--log-level', 'warn', 'x'],
    ],
    [
      ['--log-level', 'error', '-debug=false', 'list', 'x'],
      ['list', '--log-level', 'error', 'x'],
    ],
    [
      ['-l=info', 'create'],
      ['create', '--log-level', 'info'],
    ],
    // not Swarm sub-commands, or no global flags: untouched
    [
      ['--debug', 'machine', 'ls'],
      ['--debug', 'machine', 'ls'],
    ],
    [
      ['manage', '-l', 'debug'],
      ['manage', '-l', 'debug'],
    ],
    [['--version'], ['--version']],
  ])('%j → %j', (input, want) => {
    expect(hoistGlobalFlags(input)).toEqual(want);
  });

  it('refuses a global flag without its value', () => {
    expect(() => hoistGlobalFlags(['-l'])).toThrow('flag needs an argument: -l');
  });
});

describe('normalizeGoArgv with a command spec', () => {
  const join = withGlobalFlags(new Command('join'))
    .option('--advertise <a>')
    .option('--heartbeat <d>')
    .option('--discovery-opt <kv>');
  const spec = flagSpecOf(join);

  it('reads every flag of the command', () => {
    expect([...spec.bools].sort()).toEqual(['debug', 'experimental', 'help']);
    expect([...spec.values].sort()).toEqual(['advertise', 'discovery-opt', 'heartbeat', 'l', 'log-level']);
  });

  it.each([
    [
      ['-advertise', '1.2.3.4:2375', '-heartbeat=1s', 'etcd://x:1'],
      ['--advertise', '1.2.3.4:2375', '--heartbeat=1s', 'etcd://x:1'],
    ],
    [
      ['-debug=true', '-experimental=0', '-l=warn', '--l', 'debug'],
      ['--debug', '-l', 'warn', '-l', 'debug'],
    ],
    [
      ['-unknown', '--', '-advertise'],
      ['-unknown', '--', '-advertise'],
    ],
  ])('%j → %j', (input, want) => {
    expect(normalizeGoArgv(input, spec)).toEqual(want);
  });
});
