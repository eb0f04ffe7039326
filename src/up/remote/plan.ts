/**
 * Pure translation of a {@link RemoteSpec} into what `up` makes on each host: one etcd member per `kv` host (mutual
 * TLS from the store's CA), and one `machine create -d generic --swarm...` request per `manager`/`node` host whose
 * engine, agent and manager reach the KV cluster with the store's client certificate.
 */
import type { CreateRequest } from '../../machine/create-options.js';
import { CONTAINER_CERT_DIR } from '../../machine/swarm/swarm-containers.js';
import type { RemoteHost, RemoteSpec } from './hosts-file.js';

/** Folder of everything `up` puts on a host (etcd member, KV client certificates); `down` removes it. */
export const REMOTE_DIR = '/var/lib/shoal';
/** The etcd member's folder on a `kv` host. */
export const REMOTE_ETCD_DIR = `${REMOTE_DIR}/etcd`;
/** Certificates on an engine host: `ca.pem`, `cert.pem`, `key.pem` (KV client) and the engine's server pair. */
export const REMOTE_CERT_DIR = `${REMOTE_DIR}/certs`;
/** The systemd unit of the etcd member, on hosts run by systemd. */
export const ETCD_UNIT = 'shoal-etcd.service';
/** The engine port of every host. */
export const ENGINE_PORT = 2376;
/** The managers' port. */
export const MANAGER_PORT = 3376;
/** etcd's client port; the peer port is one more. Members sharing a machine take 12379, 22379, ... */
export const KV_CLIENT_PORT = 2379;

/** One etcd member. */
export interface MemberPlan {
  /** etcd `--name`: the host's name. */
  readonly name: string;
  readonly ip: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly clientUrl: string;
  readonly peerUrl: string;
}

/** What `up` does on one host. */
export interface HostPlan {
  readonly host: RemoteHost;
  readonly member?: MemberPlan;
  /** The engine host (with its agent, and its manager on `manager` hosts); absent on kv-only hosts. */
  readonly machine?: CreateRequest;
  /** Ports that must be free on the host before `up` first makes it. */
  readonly ports: readonly number[];
}

/** Everything `up` makes, host by host. */
export interface RemotePlan {
  /** The etcd `--initial-cluster` value. */
  readonly initialCluster: string;
  readonly clusterToken: string;
  /** `ip:port` client endpoints of the members. */
  readonly kvEndpoints: readonly string[];
  /** `etcd://a:2379,b:2379,c:2379`: the engines' cluster store and the swarm discovery. */
  readonly discovery: string;
  readonly hosts: readonly HostPlan[];
}

/** `kv.*` options naming a CA, a client certificate and its key in `dir`. */
export function kvClientOpts(dir: string): string[] {
  return [`kv.cacertfile=${dir}/ca.pem`, `kv.certfile=${dir}/cert.pem`, `kv.keyfile=${dir}/key.pem`];
}

/** The members, in file order; members on one machine get distinct ports. */
export function memberPlans(spec: RemoteSpec): MemberPlan[] {
  const onIp = new Map<string, number>();
  return spec.hosts
    .filter((h) => h.roles.includes('kv'))
    .map((h) => {
      const k = onIp.get(h.ip) ?? 0;
      onIp.set(h.ip, k + 1);
      const clientPort = KV_CLIENT_PORT + k * 10_000;
      const peerPort = clientPort + 1;
      return {
        name: h.name,
        ip: h.ip,
        clientPort,
        peerPort,
        clientUrl: `https://${h.ip}:${clientPort}`,
        peerUrl: `https://${h.ip}:${peerPort}`,
      };
    });
}

/** The `machine create` request of an engine host. */
export function machineRequest(spec: RemoteSpec, host: RemoteHost, discovery: string): CreateRequest {
  const manager = host.roles.includes('manager');
  const swarmKv = kvClientOpts(CONTAINER_CERT_DIR).map((o) => `discovery-opt=${o}`);
  const hb = spec.heartbeatMs;
  return {
    name: host.name,
    driver: 'generic',
    driverFlags: {
      'generic-ip-address': host.ip,
      'generic-ssh-user': host.sshUser,
      'generic-ssh-port': host.sshPort,
      ...(host.sshKey ? { 'generic-ssh-key': host.sshKey } : {}),
    },
    engine: {
      labels: [...host.labels],
      ...(spec.storageDriver ? { storageDriver: spec.storageDriver } : {}),
      opts: [
        `cluster-store=${discovery}`,
        ...kvClientOpts(REMOTE_CERT_DIR).map((o) => `cluster-store-opt=${o}`),
        `cluster-advertise=${host.ip}:${ENGINE_PORT}`,
      ],
    },
    swarm: {
      agent: true,
      master: manager,
      discovery,
      strategy: spec.strategy,
      opts: manager
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

/** The whole plan. */
export function remotePlan(spec: RemoteSpec): RemotePlan {
  const members = memberPlans(spec);
  const kvEndpoints = members.map((m) => `${m.ip}:${m.clientPort}`);
  const discovery = `etcd://${kvEndpoints.join(',')}`;
  return {
    initialCluster: members.map((m) => `${m.name}=${m.peerUrl}`).join(','),
    clusterToken: 'shoal-kv',
    kvEndpoints,
    discovery,
    hosts: spec.hosts.map((host) => {
      const member = members.find((m) => m.name === host.name);
      const engine = host.roles.includes('manager') || host.roles.includes('node');
      const ports = [
        ...(member ? [member.clientPort, member.peerPort] : []),
        ...(engine ? [ENGINE_PORT] : []),
        ...(host.roles.includes('manager') ? [MANAGER_PORT] : []),
      ];
      return {
        host,
        ...(member ? { member } : {}),
        ...(engine ? { machine: machineRequest(spec, host, discovery) } : {}),
        ports,
      };
    }),
  };
}
