import { describe, expect, it } from 'vitest';
import { buildEngineOptions, buildSwarmOptions, validateMachineName } from './create-options.js';

describe('machine names', () => {
  it.each(['default', 'node-1', 'a.b', '9lives', 'X'])('accepts %s', (n) => {
    expect(() => validateMachineName(n)).not.toThrow();
  });
  it.each(['', '-x', '.x', 'a_b', 'a b', 'a/b', 'ü'])('rejects %j', (n) => {
    expect(() => validateMachineName(n)).toThrow(/Invalid machine name/);
  });
});

describe('engine flags', () => {
  it('keeps values in order', () => {
    const e = buildEngineOptions({
      opts: ['cluster-store=etcd://10.231.0.9:2379', 'cluster-advertise=eth1:2376'],
      labels: ['zone=a'],
      registryMirror: ['http://10.231.0.9:5000'],
      insecureRegistry: ['10.231.0.9:5000'],
      storageDriver: 'vfs',
      env: ['HTTP_PROXY=x'],
    });
    expect(e).toMatchObject({
      ArbitraryFlags: ['cluster-store=etcd://10.231.0.9:2379', 'cluster-advertise=eth1:2376'],
      Labels: ['zone=a'],
      RegistryMirror: ['http://10.231.0.9:5000'],
      StorageDriver: 'vfs',
      TlsVerify: true,
      Port: 2376,
    });
  });
  it.each([
    [{ registryMirror: ['10.0.0.1:5000'] }, /registry-mirror must be an http/],
    [{ registryMirror: ['ftp://x'] }, /registry-mirror/],
    [{ env: ['NOEQUALS'] }, /engine-env/],
    [{ opts: ['--debug'] }, /engine-opt/],
    [{ labels: ['novalue'] }, /engine-label/],
  ])('rejects %j', (flags, re) => {
    expect(() => buildEngineOptions(flags)).toThrow(re);
  });
});

describe('swarm flags', () => {
  it('stores a master config', () => {
    const s = buildSwarmOptions({
      agent: true,
      master: true,
      discovery: 'etcd://10.231.0.9:2379/swarm',
      opts: ['replication', 'heartbeat=5s'],
      joinOpts: ['ttl=20s'],
      experimental: true,
    });
    expect(s).toMatchObject({
      IsSwarm: true,
      Master: true,
      Agent: true,
      Heartbeat: 5,
      Host: 'tcp://0.0.0.0:3376',
      Image: 'swarm:latest',
      Strategy: 'spread',
      ArbitraryFlags: ['replication', 'heartbeat=5s'],
      ArbitraryJoinFlags: ['ttl=20s'],
      IsExperimental: true,
    });
  });
  it('defaults to no swarm', () => {
    expect(buildSwarmOptions({}).IsSwarm).toBe(false);
  });
  it.each([
    [{ discovery: '10.0.0.1:2379' }, /scheme:\/\//],
    [{ strategy: 'best' }, /swarm-strategy/],
    [{ host: '0.0.0.0:3376' }, /swarm-host/],
    [{ master: true }, /need --swarm-discovery/],
  ])('rejects %j', (flags, re) => {
    expect(() => buildSwarmOptions(flags)).toThrow(re);
  });
});
