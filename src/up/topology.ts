/**
 * Pure translation of an {@link UpSpec} into what the steps make: KV member specs, URLs, and one
 * `shoal machine create` request per engine host (the tutorial's `docker-machine create` lines).
 */
import { join } from 'node:path';
import { netnsName } from '../host/names.js';
import type { KvMemberSpec, KvTls } from '../kv/index.js';
import type { CreateRequest } from '../machine/create-options.js';
import { CONTAINER_CERT_DIR } from '../machine/swarm/swarm-containers.js';
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

/**
 * TLS files of the KV cluster: the store's CA and client certificate, and the members' own certificate (issued by
 * `up` under its folder, `up/kv-tls/`).
 */
export function kvTls(storePath: string): KvTls {
  const certs = join(storePath, 'certs');
  const own = join(storePath, 'up', 'kv-tls');
  return {
    caFile: join(certs, 'ca.pem'),
    certFile: join(own, 'member.pem'),
    keyFile: join(own, 'member-key.pem'),
    clientCertFile: join(certs, 'cert.pem'),
    clientKeyFile: join(certs, 'key.pem'),
  };
}

/** `kv.*` options naming a CA, a client certificate and its key in `dir` (`ca.pem`, `cert.pem`, `key.pem`). */
export function kvClientOpts(dir: string): string[] {
  return [`kv.cacertfile=${dir}/ca.pem`, `kv.certfile=${dir}/cert.pem`, `kv.keyfile=${dir}/key.pem`];
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
 * The engine, the agent and the manager reach the KV cluster over TLS with the host's client certificate (the
 * engine reads it from the machine directory in `storePath`, the swarm containers from their certificate mount).
 */
export function hostRequest(spec: UpSpec, host: UpHost, kvIp: string, storePath: string): CreateRequest {
  const registry = `${kvIp}:${MIRROR_PORT}`;
  const discovery = kvUrl(spec, kvIp);
  const hb = spec.heartbeatMs;
  const machineDir = join(storePath, 'machines', host.name);
  const swarmKv = kvClientOpts(CONTAINER_CERT_DIR).map((o) => `discovery-opt=${o}`);
  return {
    name: host.name,
    driver: 'netns',
    driverFlags: driverFlags(spec),
    engine: {
      labels: [...host.labels],
      opts: [
        `cluster-store=${discovery}`,
        ...kvClientOpts(machineDir).map((o) => `cluster-store-opt=${o}`),
        'cluster-advertise=eth1:2376',
      ],
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
              ...swarmKv,
            ]
          : [],
      joinOpts: [`heartbeat=${hb}ms`, `ttl=${3 * hb}ms`, ...swarmKv],
    },
  };
}

/** A stable fingerprint of a create request: a host made with another one is re-created by `up`. */
export function fingerprint(req: CreateRequest): string {
  return JSON.stringify({ engine: req.engine ?? {}, swarm: req.swarm ?? {}, driverFlags: req.driverFlags });
}
