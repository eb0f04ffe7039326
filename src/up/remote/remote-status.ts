import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tcpProbe } from '../../machine/drivers/generic/index.js';
import { engineGet } from '../../machine/engine-probe.js';
import { MachineService } from '../../machine/machine-service.js';
import { NoUpClusterError } from '../errors.js';
import { managerView } from '../manager-info.js';
import type { ClusterStatus, HostStatus } from '../status.js';
import { memberHealthy } from './etcd-member.js';
import { ENGINE_PORT, MANAGER_PORT, memberPlans } from './plan.js';
import { loadRemoteState } from './remote-state.js';

/**
 * `shoal status` of a cluster made from a hosts file, in the shape `formatStatus` prints: per host its SSH port
 * (Running/Stopped), engine ping and manager role; per etcd member its health over mutual TLS.
 * @throws NoUpClusterError when the store holds no such cluster.
 */
export async function remoteStatus(storePath: string): Promise<ClusterStatus> {
  const state = await loadRemoteState(storePath);
  if (!state) throw new NoUpClusterError(`no cluster made by shoal up -f in ${storePath}`);
  const svc = new MachineService({ storePath });
  const all = Object.values(state.hosts);
  let primary: string | undefined;
  const hosts = await Promise.all(
    all.map(async ({ host, machine }): Promise<HostStatus> => {
      const role = host.roles.includes('manager') ? 'manager' : host.roles.includes('node') ? 'node' : 'kv';
      const st = (await tcpProbe(host.ip, host.sshPort, 3000)) ? 'Running' : 'Stopped';
      if (machine === undefined || !(await svc.store.exists(host.name))) {
        return { name: host.name, role, ip: host.ip, state: st, engine: 'down' };
      }
      const tls = svc.clientTls(host.name);
      const engine = await engineGet(`tcp://${host.ip}:${ENGINE_PORT}`, '/_ping', tls, 3000).then(
        () => 'ok' as const,
        () => 'down' as const,
      );
      if (role !== 'manager') return { name: host.name, role, ip: host.ip, state: st, engine };
      const v = await managerView(`tcp://${host.ip}:${MANAGER_PORT}`, tls, 3000).catch(() => undefined);
      if (v?.role === 'primary') primary = `${host.ip}:${MANAGER_PORT}`;
      return {
        name: host.name,
        role,
        ip: host.ip,
        state: st,
        engine,
        manager: v ? v.role : 'down',
        nodes: v ? `${v.healthy}/${v.nodes}` : '-',
      };
    }),
  );
  const certs = join(storePath, 'certs');
  const pem = {
    ca: await readFile(join(certs, 'ca.pem'), 'utf8'),
    cert: await readFile(join(certs, 'cert.pem'), 'utf8'),
    key: await readFile(join(certs, 'key.pem'), 'utf8'),
  };
  const members = memberPlans({
    file: state.file,
    hosts: all.filter((h) => h.member).map((h) => h.host),
    strategy: 'spread',
    replicationTtlMs: 0,
    heartbeatMs: 0,
    storageDriver: '',
    warnings: [],
  });
  const kv = await Promise.all(
    members.map(async (m) => ({
      name: m.name,
      endpoint: `${m.ip}:${m.clientPort}`,
      reachable: await memberHealthy(m, pem),
      leader: false,
    })),
  );
  return { hosts, kv, ...(primary ? { primary } : {}) };
}
