import { describe, expect, it } from 'vitest';
import { normalizeGoArgv, parseManageConfig, type RawManageOptions } from './manage-flags.js';

const defaults: RawManageOptions = {
  strategy: 'spread',
  replicationTtl: '20s',
  engineRefreshMinInterval: '30s',
  engineRefreshMaxInterval: '60s',
  engineFailureRetry: '3',
  engineRefreshRetry: '3',
  heartbeat: '60s',
  clusterDriver: 'swarm',
};

describe('normalizeGoArgv', () => {
  it.each([
    [
      ['-tlsverify', '-H=tcp://0.0.0.0:3376'],
      ['--tlsverify', '-H', 'tcp://0.0.0.0:3376'],
    ],
    [
      ['-tlsverify', '-host=tcp://0.0.0.0:3376'],
      ['--tlsverify', '--host=tcp://0.0.0.0:3376'],
    ],
    [
      ['--tls=true', '--replication=false', 'nodes://a:1'],
      ['--tls', 'nodes://a:1'],
    ],
    [
      ['-strategy', 'binpack', '-f', 'health'],
      ['--strategy', 'binpack', '-f', 'health'],
    ],
    [
      ['--', '-tls'],
      ['--', '-tls'],
    ],
    [
      [
        '-heartbeat=1s',
        '-advertise',
        '1.2.3.4:2375',
        '-experimental',
        '-debug=false',
        '--H',
        'x',
        '-l=debug',
      ],
      ['--heartbeat=1s', '--advertise', '1.2.3.4:2375', '--experimental', '-H', 'x', '-l', 'debug'],
    ],
    [
      ['-engine-refresh-min-interval', '1s', '-cluster-opt=swarm.overcommit=0.1', '-replication-ttl=5s'],
      ['--engine-refresh-min-interval', '1s', '--cluster-opt=swarm.overcommit=0.1', '--replication-ttl=5s'],
    ],
  ])('%j → %j', (input, want) => {
    expect(normalizeGoArgv(input)).toEqual(want);
  });
  it('rejects a non-boolean value for a boolean flag', () => {
    expect(() => normalizeGoArgv(['--tls=maybe'])).toThrow('invalid boolean value "maybe" for -tls');
  });
});

describe('parseManageConfig', () => {
  it('applies Swarm defaults', () => {
    const c = parseManageConfig('nodes://1.2.3.4:2375', defaults, {});
    expect(c).toMatchObject({
      hosts: ['tcp://127.0.0.1:2375'],
      strategy: 'spread',
      filters: undefined,
      replicationTtlMs: 20_000,
      refreshMinMs: 30_000,
      refreshMaxMs: 60_000,
      failureRetry: 3,
      heartbeatMs: 60_000,
      rescheduleGraceMs: 3000,
      overcommit: 0.05,
      createRetry: 0,
      logLevel: 'info',
      tls: undefined,
    });
  });
  it('reads SWARM_DISCOVERY, SWARM_HOST and DEBUG', () => {
    const c = parseManageConfig(undefined, defaults, {
      SWARM_DISCOVERY: 'file:///x',
      SWARM_HOST: ':2375',
      DEBUG: '1',
    });
    expect(c).toMatchObject({ discovery: 'file:///x', hosts: [':2375'], logLevel: 'debug', debug: true });
  });
  it('accepts binpacking as binpack and Go durations', () => {
    const c = parseManageConfig(
      'nodes://a:1',
      { ...defaults, strategy: 'binpacking', heartbeat: '1500ms' },
      {},
    );
    expect(c.strategy).toBe('binpack');
    expect(c.heartbeatMs).toBe(1500);
  });
  it.each<[string, Partial<RawManageOptions>, string]>([
    ['tls without cert', { tls: true }, '--tlscert and --tlskey must be provided when using --tls'],
    [
      'tlsverify without ca',
      { tlsverify: true, tlscert: 'c', tlskey: 'k' },
      '--tlscacert must be provided when using --tlsverify',
    ],
    [
      'tls files without tls',
      { tlscert: 'c' },
      '--tlscert, --tlskey and --tlscacert require the use of either --tls or --tlsverify',
    ],
    ['min refresh 0', { engineRefreshMinInterval: '0s' }, 'min refresh interval should be a positive number'],
    [
      'max < min',
      { engineRefreshMaxInterval: '10s' },
      'max refresh interval cannot be less than min refresh interval',
    ],
    ['failure retry 0', { engineFailureRetry: '0' }, 'invalid failure retry count'],
    [
      'refresh retry',
      { engineRefreshRetry: '5' },
      '--engine-refresh-retry is deprecated. Use --engine-failure-retry',
    ],
    ['heartbeat < 1s', { heartbeat: '500ms' }, '--heartbeat should be at least one second'],
    ['bad duration', { heartbeat: 'soon' }, 'invalid --heartbeat: time: invalid duration "soon"'],
    ['replication-ttl 0', { replicationTtl: '0s' }, '--replication-ttl should be a positive number'],
    [
      'replication without advertise',
      { replication: true },
      '--advertise address must be provided when using --leader-election',
    ],
    ['bad advertise', { advertise: 'nope' }, '--advertise should be of the form ip:port or hostname:port'],
    [
      'bad overcommit',
      { clusterOpt: ['swarm.overcommit=-2'] },
      'swarm.overcommit should be larger than -1, -2.000000 is invalid',
    ],
    [
      'negative createretry',
      { clusterOpt: ['swarm.createretry=-1'] },
      'swarm.createretry can not be negative, -1 is invalid',
    ],
    [
      'unknown cluster opt',
      { clusterOpt: ['swarm.discovery.x=1'] },
      'unsupported cluster option "swarm.discovery.x"',
    ],
    [
      'cluster-opt without =',
      { clusterOpt: ['novalue'] },
      '--cluster-opt must contain key=value strings (got "novalue")',
    ],
    ['cluster driver', { clusterDriver: 'mesos-experimental' }, 'unsupported cluster "mesos-experimental"'],
    ['log level', { logLevel: 'loud' }, 'not a valid log level: "loud"'],
  ])('%s', (_name, over, message) => {
    expect(() => parseManageConfig('nodes://a:1', { ...defaults, ...over }, {})).toThrow(message);
  });
  it('requires a discovery', () => {
    expect(() => parseManageConfig(undefined, defaults, {})).toThrow(
      'discovery required to manage a cluster',
    );
  });
  it('requires a KV discovery for --replication', () => {
    expect(() =>
      parseManageConfig('nodes://a:1', { ...defaults, replication: true, advertise: '1.2.3.4:2375' }, {}),
    ).toThrow('Leader election is only supported with consul, etcd and zookeeper discovery.');
    expect(
      parseManageConfig(
        'etcd://1.2.3.4:2379',
        { ...defaults, replication: true, advertise: '1.2.3.4:2375' },
        {},
      ).replication,
    ).toBe(true);
  });
});
