import { serverVersion } from '../version.js';
import type { ApiCluster, ApiNode } from './cluster-port.js';
import type { ManagerInfo } from './context.js';

/** Bytes in Docker's human units (`2.053 GiB`, `0 B`), as Swarm's `docker info` prints reserved memory. */
export function bytesSize(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number(v.toPrecision(4))} ${units[i]}`;
}

function stateText(n: ApiNode): string {
  switch (n.state) {
    case 'healthy':
      return 'Healthy';
    case 'unhealthy':
      return 'Unhealthy';
    case 'pending':
      return 'Pending';
    case 'maintenance':
      return 'Maintenance';
    default:
      return 'Disconnected';
  }
}

/** Whether a node is validated (healthy or unhealthy): its containers count in the totals. */
function active(n: ApiNode): boolean {
  return n.state === 'healthy' || n.state === 'unhealthy';
}

/** The `SystemStatus` pairs before the node list: role, primary (on a replica), strategy, filters, node count. */
export function headerPairs(
  cluster: ApiCluster,
  manager: ManagerInfo,
  nodeCount: number,
): [string, string][] {
  const sched = cluster.scheduler();
  const out: [string, string][] = [['Role', manager.role()]];
  const primary = manager.primary();
  if (manager.role() === 'replica' && primary) out.push(['Primary', primary]);
  out.push(['Strategy', sched.strategy], ['Filters', sched.filters.join(', ')], ['Nodes', String(nodeCount)]);
  return out;
}

/**
 * One node's `SystemStatus` pairs (docs/behaviour/info.md#systemstatus): its name and address, then the
 * `└ ...` lines (the leading spaces and `└` are part of the keys; both the 20.10 and the 28 docker CLI print
 * the pairs verbatim under `Server:`).
 */
export function nodePairs(n: ApiNode): [string, string][] {
  const k = n.counts;
  const out: [string, string][] = [
    [` ${n.name || '(unknown)'}`, n.addr],
    ['  └ ID', n.id],
    ['  └ Status', stateText(n)],
    ...(n.availability ? ([['  └ Availability', n.availability]] as [string, string][]) : []),
    [
      '  └ Containers',
      n.state === 'healthy'
        ? `${k.total} (${k.running} Running, ${k.paused} Paused, ${k.stopped} Stopped)`
        : String(k.total),
    ],
    ['  └ Reserved CPUs', `${n.usedCpus} / ${n.totalCpus}`],
    ['  └ Reserved Memory', `${bytesSize(n.usedMemory)} / ${bytesSize(n.totalMemory)}`],
    [
      '  └ Labels',
      Object.entries(n.labels)
        .map(([key, v]) => `${key}=${v}`)
        .sort()
        .join(', '),
    ],
  ];
  if (n.error) out.push(['  └ Error', n.error]);
  out.push(
    ['  └ UpdatedAt', n.updatedAt ? new Date(n.updatedAt).toISOString().replace(/\.\d{3}Z$/, 'Z') : ''],
    ['  └ ServerVersion', n.serverVersion],
  );
  return out;
}

/**
 * Every `/info` field but `SystemStatus` (docs/behaviour/info.md#top-level-fields), from the cache only:
 * container totals over validated nodes, CPUs and memory over healthy ones.
 */
export function infoFields(
  cluster: ApiCluster,
  nodes: readonly ApiNode[],
  manager: ManagerInfo,
  version: string,
): Record<string, unknown> {
  let containers = 0;
  let running = 0;
  let paused = 0;
  let stopped = 0;
  let cpus = 0;
  let memory = 0;
  for (const n of nodes) {
    if (active(n)) {
      containers += n.counts.total;
      running += n.counts.running;
      paused += n.counts.paused;
      stopped += n.counts.stopped;
    }
    if (n.state !== 'healthy') continue;
    cpus += n.totalCpus;
    memory += n.totalMemory;
  }
  return {
    ID: '',
    Containers: containers,
    ContainersRunning: running,
    ContainersPaused: paused,
    ContainersStopped: stopped,
    Images: cluster.imageCount?.() ?? 0,
    Driver: '',
    DriverStatus: null,
    Plugins: { Volume: null, Network: null, Authorization: null, Log: null },
    MemoryLimit: true,
    SwapLimit: true,
    KernelMemory: true,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding: true,
    BridgeNfIptables: true,
    BridgeNfIp6tables: true,
    Debug: manager.debug,
    NFd: 0,
    OomKillDisable: true,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: '',
    CgroupDriver: '',
    NEventsListener: manager.eventListeners,
    KernelVersion: manager.kernelVersion,
    OperatingSystem: process.platform,
    OSType: process.platform,
    Architecture: process.arch === 'x64' ? 'x86_64' : process.arch,
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: null,
    NCPU: cpus,
    MemTotal: memory,
    DockerRootDir: '',
    HttpProxy: process.env.HTTP_PROXY ?? process.env.http_proxy ?? '',
    HttpsProxy: process.env.HTTPS_PROXY ?? process.env.https_proxy ?? '',
    NoProxy: process.env.NO_PROXY ?? process.env.no_proxy ?? '',
    Name: manager.hostname,
    Labels: [],
    ExperimentalBuild: manager.experimental,
    ServerVersion: serverVersion(version),
    SecurityOptions: [],
    Swarm: {
      NodeID: '',
      NodeAddr: '',
      LocalNodeState: 'inactive',
      ControlAvailable: false,
      Error: '',
      RemoteManagers: null,
    },
    Warnings: null,
  };
}
