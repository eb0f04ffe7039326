import { engineGet } from '../machine/engine-probe.js';
import { MachineService } from '../machine/machine-service.js';
import { NoUpClusterError } from './errors.js';
import { managerView } from './manager-info.js';
import { hasBusybox, mirrorAddress, mirrorPid } from './registry-mirror.js';
import { loadUpState } from './state.js';
import { kvCluster, mirrorSite } from './up.js';

/** One host line of `shoal status`. */
export interface HostStatus {
  readonly name: string;
  readonly role: 'kv' | 'manager' | 'node';
  readonly ip: string;
  readonly state: string;
  /** The engine answered `/_ping` over TLS. */
  readonly engine: 'ok' | 'down';
  /** Managers only: `primary`, `replica`, or `down`. */
  readonly manager?: string;
  /** Managers only: healthy/total nodes it sees. */
  readonly nodes?: string;
}

/** Everything `shoal status` prints. */
export interface ClusterStatus {
  readonly hosts: readonly HostStatus[];
  readonly kv: readonly { name: string; endpoint: string; reachable: boolean; leader: boolean }[];
  readonly registry?: { readonly address: string; readonly running: boolean; readonly busybox: boolean };
  /** The primary manager's address, when one answers as primary. */
  readonly primary?: string;
}

/**
 * Reads the state of the cluster `shoal up` made in `storePath`: machine states, engine pings, each manager's role
 * and node view, KV member health and the registry.
 * @throws NoUpClusterError when there is none.
 */
export async function clusterStatus(storePath: string): Promise<ClusterStatus> {
  const state = await loadUpState(storePath);
  if (!state) throw new NoUpClusterError(`no cluster made by shoal up in ${storePath}`);
  const svc = new MachineService({ storePath });
  const roles = new Map(state.spec.hosts.map((h) => [h.name, h.role] as const));
  const hosts: HostStatus[] = [];
  let primary: string | undefined;
  for (const name of [state.spec.kvHost, ...state.spec.hosts.map((h) => h.name)]) {
    const role = roles.get(name) ?? 'kv';
    const host = await svc.load(name).catch(() => undefined);
    if (!host) {
      hosts.push({ name, role, ip: '', state: 'Missing', engine: 'down' });
      continue;
    }
    const ip = String(host.record.Driver.IPAddress ?? '');
    const st = await host.driver.state().catch(() => 'Error');
    const tls = svc.clientTls(name);
    const engine = await engineGet(`tcp://${ip}:2376`, '/_ping', tls, 3000).then(
      () => 'ok' as const,
      () => 'down' as const,
    );
    let manager: string | undefined;
    let nodes: string | undefined;
    if (role === 'manager') {
      const v = await managerView(`tcp://${ip}:3376`, tls, 3000).catch(() => undefined);
      manager = v ? v.role : 'down';
      nodes = v ? `${v.healthy}/${v.nodes}` : '-';
      if (v?.role === 'primary') primary = `${ip}:3376`;
    }
    hosts.push({ name, role, ip, state: st, engine, ...(manager ? { manager, nodes } : {}) });
  }
  const kv = state.kvIp ? await kvCluster(storePath, state.spec, state.kvIp).health(2000) : [];
  let registry: ClusterStatus['registry'];
  if (state.spec.registry && state.kvIp) {
    const site = mirrorSite(storePath, state.spec, state.kvIp);
    const running = (await mirrorPid(site)) !== undefined;
    registry = { address: mirrorAddress(site), running, busybox: running && (await hasBusybox(site)) };
  }
  return {
    hosts,
    kv: kv.map((m) => ({ name: m.name, endpoint: m.endpoint, reachable: m.reachable, leader: m.leader })),
    ...(registry ? { registry } : {}),
    ...(primary ? { primary } : {}),
  };
}

/** `shoal status` as text: a host table, KV members, registry and the primary. */
export function formatStatus(s: ClusterStatus): string {
  const rows = [['HOST', 'ROLE', 'IP', 'STATE', 'ENGINE', 'MANAGER', 'NODES']];
  for (const h of s.hosts)
    rows.push([h.name, h.role, h.ip, h.state, h.engine, h.manager ?? '-', h.nodes ?? '-']);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const table = rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  const kv = s.kv.map(
    (m) =>
      `  ${m.name}  ${m.endpoint}  ${m.reachable ? 'healthy' : 'unreachable'}${m.leader ? '  (raft leader)' : ''}`,
  );
  const lines = [
    ...table,
    '',
    `KV members (${s.kv.filter((m) => m.reachable).length}/${s.kv.length} healthy):`,
    ...kv,
  ];
  if (s.registry) {
    lines.push(
      '',
      `Registry mirror: ${s.registry.address} ${s.registry.running ? 'running' : 'stopped'}${s.registry.busybox ? ', holds busybox' : ''}`,
    );
  }
  lines.push('', `Primary manager: ${s.primary ?? 'none'}`);
  return `${lines.join('\n')}\n`;
}
