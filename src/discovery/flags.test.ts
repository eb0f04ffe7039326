import { describe, expect, it } from 'vitest';
import { InvalidDiscoveryError } from './errors.js';
import {
  parseAdvertise,
  parseDelay,
  parseDiscoveryOpts,
  parseHeartbeat,
  parseListTimeout,
  parseTtl,
  resolveDiscoveryUrl,
} from './flags.js';

describe('discovery flag validation', () => {
  it.each([
    ['1s', 1000],
    ['60s', 60_000],
    ['1m30s', 90_000],
    ['5', 5000],
  ])('--heartbeat %s', (text, ms) => {
    expect(parseHeartbeat(text)).toBe(ms);
  });

  it.each([
    [() => parseHeartbeat('500ms'), '--heartbeat should be at least one second (got 500ms)'],
    [() => parseHeartbeat('soon'), 'invalid --heartbeat: time: invalid duration "soon"'],
    [() => parseTtl('60s', 60_000), '--ttl must be strictly superior to the heartbeat value (got ttl 60s)'],
    [() => parseTtl('10s', 60_000), '--ttl must be strictly superior to the heartbeat value (got ttl 10s)'],
    [() => parseDelay('-1s'), '--delay should not be a negative number (got -1s)'],
    [() => parseListTimeout('0s'), '--timeout should be a positive number (got 0s)'],
    [() => parseDiscoveryOpts(['kv.path']), '--discovery-opt must contain key=value strings (got "kv.path")'],
    [() => parseDiscoveryOpts(['=x']), '--discovery-opt must contain key=value strings (got "=x")'],
    [() => parseAdvertise(undefined, {}), 'missing mandatory --advertise flag (or SWARM_ADVERTISE)'],
    [
      () => parseAdvertise('10.0.0.1', {}),
      '--advertise should be of the form ip:port or hostname:port (got "10.0.0.1")',
    ],
    [
      () => parseAdvertise('10.0.0.1:70000', {}),
      '--advertise should be of the form ip:port or hostname:port (got "10.0.0.1:70000")',
    ],
    [
      () => resolveDiscoveryUrl(undefined, 'join', {}),
      "discovery required to join a cluster. See 'shoal join --help'.",
    ],
  ])('rejects with a one-line message (%#)', (fn, message) => {
    expect(fn).toThrow(InvalidDiscoveryError);
    expect(fn).toThrow(message);
  });

  it('accepts valid values and env fallbacks', () => {
    expect(parseTtl('180s', 60_000)).toBe(180_000);
    expect(parseDelay('0s')).toBe(0);
    expect(parseDiscoveryOpts(['kv.path=a/b', 'kv.certfile = /x=y'])).toEqual({
      'kv.path': 'a/b',
      'kv.certfile': '/x=y',
    });
    expect(parseAdvertise(undefined, { SWARM_ADVERTISE: '10.0.0.1:2376' })).toBe('10.0.0.1:2376');
    expect(resolveDiscoveryUrl(undefined, 'list', { SWARM_DISCOVERY: 'etcd://a:1' })).toBe('etcd://a:1');
    expect(resolveDiscoveryUrl('nodes://a:1', 'list', { SWARM_DISCOVERY: 'etcd://a:1' })).toBe('nodes://a:1');
  });
});
