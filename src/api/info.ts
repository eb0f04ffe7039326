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

// One collator for all calls: `localeCompare` with options builds a new one per comparison (slow at 1,000 nodes).
const natural = new Intl.Collator('en', { numeric: true });

/** Natural order for node names (`node-2` before `node-10`). */
export function naturalCompare(a: string, b: string): number {
  return natural.compare(a, b);
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

/** Counts of a node's containers by state. */
export interface ContainerCounts {
  total: number;
  running: number;
  paused: number;
  stopped: number;
}

/** Counts cached containers per node address. */
export function countContainers(cluster: ApiCluster): Map<string, ContainerCounts> {
  const out = new Map<string, ContainerCounts>();
  for (const c of cluster.containers()) {
    let k = out.get(c.node.addr);
    if (!k) {
      k = { total: 0, running: 0, paused: 0, stopped: 0 };
      out.set(c.node.addr, k);
    }
    k.total++;
    if (c.summary.State === 'running' || c.summary.State === 'restarting') k.running++;
    else if (c.summary.State === 'paused') k.paused++;
    else k.stopped++;
  }
  return out;
}

/**
 * The `SystemStatus` pairs of §1.15 (both the 20.10 and the 28.2 docker CLI print them verbatim under `Server:`,
 * checked against both; `Swarm.LocalNodeState` is set to `inactive` so the 28 CLI prints `Swarm: inactive`): role, strategy, filters, node count, then per node its address and `└ ...`
 * lines (the leading spaces and `└` are part of the keys).
 */
export function systemStatus(
  cluster: ApiCluster,
  manager: ManagerInfo,
  counts: Map<string, ContainerCounts>,
): [string, string][] {
  const sched = cluster.scheduler();
  const out: [string, string][] = [['Role', manager.role()]];
  const primary = manager.primary();
  if (manager.role() === 'replica' && primary) out.push(['Primary', primary]);
  out.push(['Strategy', sched.strategy], ['Filters', sched.filters.join(', ')]);
  const nodes = [...cluster.nodes()].sort((a, b) => naturalCompare(a.name || a.addr, b.name || b.addr));
  out.push(['Nodes', String(nodes.length)]);
  for (const n of nodes) {
    const k = counts.get(n.addr) ?? { total: 0, running: 0, paused: 0, stopped: 0 };
    out.push([` ${n.name || '(unknown)'}`, n.addr]);
    out.push(['  └ ID', n.id]);
    out.push(['  └ Status', stateText(n)]);
    out.push([
      '  └ Containers',
      n.state === 'healthy'
        ? `${k.total} (${k.running} Running, ${k.paused} Paused, ${k.stopped} Stopped)`
        : String(k.total),
    ]);
    out.push(['  └ Reserved CPUs', `${n.usedCpus} / ${n.totalCpus}`]);
    out.push(['  └ Reserved Memory', `${bytesSize(n.usedMemory)} / ${bytesSize(n.totalMemory)}`]);
    const labels = Object.entries(n.labels)
      .map(([key, v]) => `${key}=${v}`)
      .sort();
    out.push(['  └ Labels', labels.join(', ')]);
    if (n.error) out.push(['  └ Error', n.error]);
    out.push([
      '  └ UpdatedAt',
      n.updatedAt ? new Date(n.updatedAt).toISOString().replace(/\.\d{3}Z$/, 'Z') : '',
    ]);
    out.push(['  └ ServerVersion', n.serverVersion]);
  }
  return out;
}

/** The whole `/info` body (§1.15), built from the cache only. */
export function buildInfo(
  cluster: ApiCluster,
  manager: ManagerInfo,
  version: string,
): Record<string, unknown> {
  const counts = countContainers(cluster);
  let containers = 0;
  let running = 0;
  let paused = 0;
  let stopped = 0;
  for (const k of counts.values()) {
    containers += k.total;
    running += k.running;
    paused += k.paused;
    stopped += k.stopped;
  }
  let cpus = 0;
  let memory = 0;
  for (const n of cluster.nodes()) {
    if (n.state !== 'healthy') continue;
    cpus += n.totalCpus;
    memory += n.totalMemory;
  }
  const status = systemStatus(cluster, manager, counts);
  return {
    ID: '',
    Containers: containers,
    ContainersRunning: running,
    ContainersPaused: paused,
    ContainersStopped: stopped,
    Images: cluster.imageCount?.() ?? 0,
    Driver: '',
    DriverStatus: null,
    SystemStatus: status,
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
    ServerVersion: `shoal/${version}`,
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
