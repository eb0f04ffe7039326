/**
 * Pure translation of an {@link UpSpec} into what the steps make: KV member specs, URLs, and one
 * `shoal machine create` request per engine host (the tutorial's `docker-machine create` lines).
 */
import { netnsName } from '../host/names.js';
import type { KvMemberSpec } from '../kv/index.js';
import type { CreateRequest } from '../machine/create-options.js';
import { MIRROR_PORT } from './registry-mirror.js';
import type { UpHost, UpSpec } from './spec.js';

/** Client port of KV member `i` (2379, 12379, 22379, ...); its peer port is one more. */
export function kvClientPort(i: number): number {
  return 2379 + i * 10_000;
}

/** The KV members, all on the KV host's address with distinct ports. */
export function kvMembers(spec: UpSpec, kvIp: string): KvMemberSpec[] {
  return Array.from({ length: spec.kvMembers }, (_, i) => ({
    host: spec.kvHost,
    ip: kvIp,
    ns: netnsName(spec.prefix, spec.kvHost),
    clientPort: kvClientPort(i),
    peerPort: kvClientPort(i) + 1,
  }));
}

/** `etcd://ip:2379,ip:12379,...`: the engines' cluster store and the agents' and managers' discovery. */
export function kvUrl(spec: UpSpec, kvIp: string): string {
  return `etcd://${kvMembers(spec, kvIp)
    .map((m) => `${m.ip}:${m.clientPort}`)
    .join(',')}`;
}

/** Name of the KV cluster (members are `<name>-<i>`). */
export function kvClusterName(spec: UpSpec): string {
  return `${spec.prefix}-kv`;
}

/** Driver flags of every machine of the cluster. */
export function driverFlags(spec: UpSpec): Record<string, string> {
  return { 'netns-subnet': spec.subnet, 'netns-prefix': spec.prefix };
}

/** The KV host: a plain engine host (the tutorial's `consul-servers` machine). */
export function kvHostRequest(spec: UpSpec): CreateRequest {
  return { name: spec.kvHost, driver: 'netns', driverFlags: driverFlags(spec) };
}

/**
 * One engine host: cluster store and advertise on eth1 (overlay networks), the registry as mirror (and insecure,
 * since it speaks http), the swarm agent on every host, and on managers a replicated manager with the spec's TTL.
 */
export function hostRequest(spec: UpSpec, host: UpHost, kvIp: string): CreateRequest {
  const registry = `${kvIp}:${MIRROR_PORT}`;
  const discovery = kvUrl(spec, kvIp);
  const hb = spec.heartbeatMs;
  return {
    name: host.name,
    driver: 'netns',
    driverFlags: driverFlags(spec),
    engine: {
      labels: [...host.labels],
      opts: [`cluster-store=${discovery}`, 'cluster-advertise=eth1:2376'],
      registryMirror: spec.registry ? [`http://${registry}`] : [],
      insecureRegistry: spec.registry ? [registry] : [],
    },
    swarm: {
      agent: true,
      master: host.role === 'manager',
      discovery,
      strategy: spec.strategy,
      opts:
        host.role === 'manager'
          ? [
              'replication',
              `replication-ttl=${spec.replicationTtlMs}ms`,
              'engine-refresh-min-interval=2s',
              'engine-refresh-max-interval=4s',
            ]
          : [],
      joinOpts: [`heartbeat=${hb}ms`, `ttl=${3 * hb}ms`],
    },
  };
}

/** A stable fingerprint of a create request: a host made with another one is re-created by `up`. */
export function fingerprint(req: CreateRequest): string {
  return JSON.stringify({ engine: req.engine ?? {}, swarm: req.swarm ?? {}, driverFlags: req.driverFlags });
}
