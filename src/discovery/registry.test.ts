import { describe, expect, it } from 'vitest';
import {
  DiscoveryNotAvailableError,
  RegisterNotSupportedError,
  UnknownDiscoverySchemeError,
} from './errors.js';
import { EtcdDiscovery } from './etcd.js';
import { etcdKey, parseEtcdTarget } from './etcd-client.js';
import { FileDiscovery } from './file.js';
import { createDiscovery, NodesDiscovery, ShoalDiscovery } from './index.js';

const opts = { heartbeatMs: 1000, ttlMs: 3000 };

describe('createDiscovery (scheme registry)', () => {
  it('picks the backend by scheme; no scheme is a bare node list', () => {
    expect(createDiscovery('10.0.0.1:2375,10.0.0.2:2375', opts)).toBeInstanceOf(NodesDiscovery);
    expect(createDiscovery('nodes://10.0.0.[1:3]:2375', opts)).toBeInstanceOf(NodesDiscovery);
    expect(createDiscovery('file:///tmp/x', opts)).toBeInstanceOf(FileDiscovery);
    expect(createDiscovery('etcd://127.0.0.1:2379/pre', opts)).toBeInstanceOf(EtcdDiscovery);
    expect(createDiscovery('shoal://10.0.0.1:3376', opts)).toBeInstanceOf(ShoalDiscovery);
  });

  it('rejects an unknown scheme, listing the valid ones', () => {
    expect(() => createDiscovery('mesos://x:1', opts)).toThrow(UnknownDiscoverySchemeError);
    expect(() => createDiscovery('mesos://x:1', opts)).toThrow(
      'unsupported discovery scheme "mesos://"; valid schemes: nodes://, file://, etcd://, shoal://, consul://, token://, zk://',
    );
  });

  it('refuses consul:// naming etcd://', () => {
    const fn = () => createDiscovery('consul://10.0.0.5:8500/swarm', opts);
    expect(fn).toThrow(DiscoveryNotAvailableError);
    expect(fn).toThrow("consul:// is not available: shoal's KV store is etcd; use etcd://10.0.0.5:2379");
  });

  it('refuses token:// explaining the hosted service is gone and naming the alternatives', () => {
    const fn = () => createDiscovery('token://0123456789abcdef', opts);
    expect(fn).toThrow(DiscoveryNotAvailableError);
    expect(fn).toThrow(/shut down in 2019; use shoal:\/\/MANAGER:PORT .*etcd:\/\/HOST:2379/);
  });

  it('refuses zk:// naming etcd://', () => {
    expect(() => createDiscovery('zk://a:2181', opts)).toThrow(/use etcd:\/\/HOST:2379/);
  });

  it('static backends refuse registration', async () => {
    await expect(createDiscovery('a:1', opts).register('b:2')).rejects.toThrow(RegisterNotSupportedError);
    await expect(createDiscovery('file:///x', opts).register('b:2')).rejects.toThrow(
      'file:// discovery does not support registration: not implemented',
    );
  });

  it('nodes:// emits the sorted list once', async () => {
    const ac = new AbortController();
    const seen: string[][] = [];
    for await (const list of createDiscovery('b:2,a:[1:2]', opts).watch(ac.signal)) {
      seen.push(list);
      ac.abort();
    }
    expect(seen).toEqual([['a:1', 'a:2', 'b:2']]);
  });
});

describe('etcd target', () => {
  it('parses several endpoints and a prefix', () => {
    const t = parseEtcdTarget('h1:2379,h2:2379/my/cluster/', {});
    expect(t).toEqual({ endpoints: ['h1:2379', 'h2:2379'], prefix: 'my/cluster' });
    expect(etcdKey(t, 'docker/swarm/nodes')).toBe('my/cluster/docker/swarm/nodes');
    expect(etcdKey(parseEtcdTarget('h:1', {}), 'docker/swarm/leader')).toBe('docker/swarm/leader');
  });

  it('uses kv.path under the prefix', () => {
    expect(new EtcdDiscovery('h:1/p', { ...opts, options: { 'kv.path': '/custom/nodes/' } }).dir).toBe(
      'p/custom/nodes',
    );
    expect(new EtcdDiscovery('h:1', opts).dir).toBe('docker/swarm/nodes');
  });

  it('needs all three TLS files together', () => {
    expect(() => parseEtcdTarget('h:1', { 'kv.cacertfile': '/ca.pem' })).toThrow(
      'kv.cacertfile, kv.certfile and kv.keyfile must be given together for TLS',
    );
  });

  it('rejects a bad endpoint', () => {
    expect(() => parseEtcdTarget('h1', {})).toThrow('invalid etcd endpoint "h1"');
    expect(() => parseEtcdTarget('/prefix', {})).toThrow('etcd:// discovery needs at least one HOST:PORT');
  });
});
