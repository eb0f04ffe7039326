/**
 * `shoal down` of a cluster made from a hosts file: on every host, what `up` made and nothing else — the swarm
 * containers and the shoal image (through the engine's TLS port), the engine's provisioning (systemd drop-in, or
 * the dockerd it started, and its certificates in /etc/docker), the etcd member (unit or supervisor, its folder)
 * and `/var/lib/shoal`; then the machine records. Goes on past failures and reports them together.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MachineService } from '../../machine/machine-service.js';
import { tlsDockerExec } from '../../machine/swarm/remote-swarm.js';
import { SHOAL_IMAGE } from '../../machine/swarm/shoal-image.js';
import { AGENT_CONTAINER, MASTER_CONTAINER } from '../../machine/swarm/swarm-containers.js';
import { NoUpClusterError } from '../errors.js';
import { removeMember } from './etcd-member.js';
import { REMOTE_CERT_DIR, REMOTE_DIR } from './plan.js';
import { RemoteShell } from './remote-shell.js';
import { loadRemoteState, type RemoteHostState, remoteStatePath } from './remote-state.js';

/** Undoes the generic provisioner: its systemd drop-in, or the dockerd it started; its certificates and log. */
export const DEPROVISION_SCRIPT = [
  'dropin=/etc/systemd/system/docker.service.d/10-machine.conf',
  'if [ -f "$dropin" ]; then',
  '  rm -f "$dropin"; rmdir /etc/systemd/system/docker.service.d 2>/dev/null',
  '  systemctl daemon-reload && systemctl restart docker',
  'else',
  '  p=$(cat /var/run/docker.pid 2>/dev/null)',
  '  if [ -n "$p" ] && tr "\\0" " " <"/proc/$p/cmdline" 2>/dev/null | grep -q "/etc/docker/server.pem"; then',
  '    kill "$p"; for i in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done',
  '  fi',
  'fi',
  'rm -f /etc/docker/ca.pem /etc/docker/server.pem /etc/docker/server-key.pem /var/log/shoal-dockerd.log',
].join('\n');

/** Takes down what `up` made on one host. @throws the first failure, after trying every part. */
export async function takeDownHost(
  svc: MachineService,
  st: RemoteHostState,
  say: (line: string) => void,
): Promise<void> {
  const shell = new RemoteShell(st.host);
  const errors: Error[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    say(`${st.host.name}: ${what}`);
    await fn().catch((e: unknown) =>
      errors.push(new Error(`${st.host.name}: ${what}: ${(e as Error).message}`)),
    );
  };
  if (st.machine !== undefined && (await svc.store.exists(st.host.name))) {
    const exec = tlsDockerExec(st.host.ip, 2376, svc.store.machineDir(st.host.name));
    await attempt('removing the swarm containers and the shoal image', async () => {
      await exec(['docker', 'rm', '-f', MASTER_CONTAINER, AGENT_CONTAINER]);
      await exec(['docker', 'rmi', '-f', SHOAL_IMAGE]);
    });
    await attempt('undoing the engine provisioning', () => shell.must(DEPROVISION_SCRIPT, 'deprovisioning'));
  }
  if (st.member) await attempt('removing the etcd member', () => removeMember(shell));
  await attempt(`removing ${REMOTE_DIR}`, () =>
    shell.must(
      `rm -rf ${REMOTE_CERT_DIR} && { rmdir ${REMOTE_DIR} 2>/dev/null || true; }`,
      `removing ${REMOTE_DIR}`,
    ),
  );
  if (await svc.store.exists(st.host.name)) await svc.remove(st.host.name, { force: true });
  if (errors.length) throw new AggregateError(errors, errors.map((e) => e.message).join('; '));
}

/**
 * Removes the cluster `up -f hosts.json` made in `storePath` from every host (engine hosts first), then its local
 * files. @throws NoUpClusterError when there is none; AggregateError listing every host that failed.
 */
export async function remoteDown(
  storePath: string,
  opts: { progress?: (line: string) => void } = {},
): Promise<void> {
  const say = opts.progress ?? (() => undefined);
  const state = await loadRemoteState(storePath);
  if (!state) throw new NoUpClusterError(`no cluster made by shoal up -f in ${storePath}`);
  const svc = new MachineService({ storePath });
  const hosts = Object.values(state.hosts).sort(
    (a, b) => Number(b.machine !== undefined) - Number(a.machine !== undefined),
  );
  const errors: Error[] = [];
  await Promise.all(
    hosts.map((h) => takeDownHost(svc, h, say).catch((e: unknown) => errors.push(e as Error))),
  );
  if (errors.length) throw new AggregateError(errors, errors.map((e) => e.message).join('; '));
  await rm(join(storePath, 'up', 'remote'), { recursive: true, force: true });
  await rm(remoteStatePath(storePath), { force: true });
}
