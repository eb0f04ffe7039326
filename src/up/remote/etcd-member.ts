/**
 * One etcd member on a `kv` host, started over SSH: mutual TLS with a certificate from the store's CA (IP SAN of the
 * host, serverAuth for clients and clientAuth for peers), the v2 API on for the engines' cluster store, and a restart
 * on failure — a systemd unit (`shoal-etcd.service`, `Restart=always`) where systemd runs, else a supervisor shell
 * loop started with setsid. This machine's etcd binary is shipped over SFTP when the host has none.
 * Everything lives in `/var/lib/shoal/etcd` (and the unit file); {@link removeMember} takes it all away.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { shQuote } from '../../machine/drivers/generic/generic-provisioner.js';
import { ETCD_UNIT, type MemberPlan, REMOTE_ETCD_DIR, type RemotePlan } from './plan.js';
import type { HostFacts } from './preflight.js';
import type { RemoteShell } from './remote-shell.js';

/** Where the unit file goes on a systemd host. */
export const ETCD_UNIT_PATH = `/etc/systemd/system/${ETCD_UNIT}`;
/** The shipped binary's place. */
export const SHIPPED_ETCD = `${REMOTE_ETCD_DIR}/bin/etcd`;

/** Local TLS files of a member: the store's CA, the member's certificate and key. */
export interface MemberTlsFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** etcd's argv for a member (binary first). */
export function memberArgv(plan: RemotePlan, m: MemberPlan, binary: string): string[] {
  const tls = `${REMOTE_ETCD_DIR}/tls`;
  return [
    binary,
    `--name=${m.name}`,
    `--data-dir=${REMOTE_ETCD_DIR}/data`,
    `--listen-client-urls=${m.clientUrl}`,
    `--advertise-client-urls=${m.clientUrl}`,
    `--listen-peer-urls=${m.peerUrl}`,
    `--initial-advertise-peer-urls=${m.peerUrl}`,
    `--initial-cluster=${plan.initialCluster}`,
    `--initial-cluster-token=${plan.clusterToken}`,
    '--initial-cluster-state=new',
    '--enable-v2=true',
    `--cert-file=${tls}/member.pem`,
    `--key-file=${tls}/member-key.pem`,
    `--trusted-ca-file=${tls}/ca.pem`,
    '--client-cert-auth',
    `--peer-cert-file=${tls}/member.pem`,
    `--peer-key-file=${tls}/member-key.pem`,
    `--peer-trusted-ca-file=${tls}/ca.pem`,
    '--peer-client-cert-auth',
  ];
}

/** The systemd unit running `argv`, restarted a second after any exit. */
export function systemdUnit(argv: readonly string[]): string {
  return [
    '[Unit]',
    'Description=etcd member of a shoal cluster',
    'After=network-online.target',
    '',
    '[Service]',
    `ExecStart=${argv.join(' ')}`,
    'Restart=always',
    'RestartSec=1',
    'LimitNOFILE=65536',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** The supervisor of hosts without systemd: runs `argv` again a second after it exits; TERM stops both. */
export function supervisorScript(argv: readonly string[]): string {
  return [
    '#!/bin/sh',
    '# etcd member of a shoal cluster, restarted a second after it exits; TERM stops both.',
    'child=',
    'trap \'[ -n "$child" ] && kill "$child" 2>/dev/null; wait; exit 0\' TERM INT',
    'while :; do',
    `  ${argv.map(shQuote).join(' ')} &`,
    '  child=$!',
    `  echo "$child" > ${REMOTE_ETCD_DIR}/etcd.pid`,
    '  wait "$child"',
    '  sleep 1',
    'done',
    '',
  ].join('\n');
}

const SUPERVISOR_PID = `${REMOTE_ETCD_DIR}/supervisor.pid`;
const RUNNING_SCRIPT = [
  `if [ -f ${ETCD_UNIT_PATH} ]; then systemctl is-active --quiet ${ETCD_UNIT} && echo running; exit 0; fi`,
  `p=$(cat ${SUPERVISOR_PID} 2>/dev/null) || exit 0`,
  'grep -q run.sh "/proc/$p/cmdline" 2>/dev/null && echo running',
].join('\n');

/**
 * Makes the member run with the plan's configuration. Unchanged (and not touched) when it runs with the same
 * configuration and certificate; otherwise uploads what is needed and (re)starts it. Returns whether it changed.
 */
export async function ensureMember(
  shell: RemoteShell,
  facts: HostFacts,
  plan: RemotePlan,
  m: MemberPlan,
  tls: MemberTlsFiles,
  localEtcd: string,
): Promise<boolean> {
  const ship = facts.etcd === '' || facts.etcdPath === '';
  const argv = memberArgv(plan, m, ship ? SHIPPED_ETCD : facts.etcdPath);
  const [ca, cert, key] = await Promise.all([
    readFile(tls.ca, 'utf8'),
    readFile(tls.cert, 'utf8'),
    readFile(tls.key, 'utf8'),
  ]);
  const config = `${argv.join('\n')}\n# ${createHash('sha256').update(ca).update(cert).digest('hex')}\n`;
  const current = await shell.run(`cat ${REMOTE_ETCD_DIR}/member.conf 2>/dev/null`);
  const running = (await shell.run(RUNNING_SCRIPT)).stdout.includes('running');
  if (running && current.stdout === config) return false;
  await stopMember(shell);
  await shell.must(
    `mkdir -p ${REMOTE_ETCD_DIR}/tls ${REMOTE_ETCD_DIR}/data && chmod 700 ${REMOTE_ETCD_DIR}`,
    'mkdir',
  );
  await shell.writeFile(`${REMOTE_ETCD_DIR}/tls/ca.pem`, ca, '644');
  await shell.writeFile(`${REMOTE_ETCD_DIR}/tls/member.pem`, cert, '644');
  await shell.writeFile(`${REMOTE_ETCD_DIR}/tls/member-key.pem`, key, '600');
  if (ship) {
    const have = await shell.run(`test -x ${SHIPPED_ETCD} && ${SHIPPED_ETCD} --version`);
    const mine = await sha256(localEtcd);
    const theirs = await shell.run(`sha256sum ${SHIPPED_ETCD} 2>/dev/null`);
    if (have.code !== 0 || !theirs.stdout.startsWith(mine))
      await shell.upload(localEtcd, SHIPPED_ETCD, '755');
  }
  if (facts.systemd) {
    await shell.writeFile(ETCD_UNIT_PATH, systemdUnit(argv), '644');
    await shell.must(
      `systemctl daemon-reload && systemctl enable --now ${ETCD_UNIT}`,
      `starting ${ETCD_UNIT}`,
    );
  } else {
    await shell.writeFile(`${REMOTE_ETCD_DIR}/run.sh`, supervisorScript(argv), '755');
    await shell.must(
      `cd ${REMOTE_ETCD_DIR} && (setsid sh ${REMOTE_ETCD_DIR}/run.sh >>${REMOTE_ETCD_DIR}/etcd.log 2>&1 </dev/null & echo $! > ${SUPERVISOR_PID})`,
      'starting the etcd supervisor',
    );
  }
  await shell.writeFile(`${REMOTE_ETCD_DIR}/member.conf`, config, '600');
  return true;
}

/** Stops the member (unit or supervisor, then its etcd) if it runs. */
export async function stopMember(shell: RemoteShell): Promise<void> {
  await shell.must(
    [
      `if [ -f ${ETCD_UNIT_PATH} ]; then systemctl disable --now ${ETCD_UNIT} >/dev/null 2>&1 || true; fi`,
      `p=$(cat ${SUPERVISOR_PID} 2>/dev/null)`,
      'if [ -n "$p" ] && grep -q run.sh "/proc/$p/cmdline" 2>/dev/null; then kill "$p"; fi',
      `e=$(cat ${REMOTE_ETCD_DIR}/etcd.pid 2>/dev/null)`,
      'for i in $(seq 1 50); do',
      '  alive=',
      '  [ -n "$p" ] && kill -0 "$p" 2>/dev/null && alive=1',
      `  [ -n "$e" ] && grep -q ${REMOTE_ETCD_DIR} "/proc/$e/cmdline" 2>/dev/null && alive=1`,
      '  [ -z "$alive" ] && break',
      '  sleep 0.2',
      'done',
      `[ -n "$e" ] && grep -q ${REMOTE_ETCD_DIR} "/proc/$e/cmdline" 2>/dev/null && kill -9 "$e"`,
      `rm -f ${SUPERVISOR_PID} ${REMOTE_ETCD_DIR}/etcd.pid`,
    ].join('\n'),
    'stopping the etcd member',
  );
}

/** Stops the member and removes its unit and folder (data included). */
export async function removeMember(shell: RemoteShell): Promise<void> {
  await stopMember(shell);
  await shell.must(
    `rm -f ${ETCD_UNIT_PATH} && { [ ! -d /run/systemd/system ] || systemctl daemon-reload; } && rm -rf ${REMOTE_ETCD_DIR}`,
    'removing the etcd member',
  );
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** Client TLS for health calls: the store's CA, client certificate and key (PEM text). */
export interface ClientPem {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** GET `/health` of a member with the client certificate; true when it answers `"health":"true"`. */
export function memberHealthy(m: MemberPlan, pem: ClientPem, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      `${m.clientUrl}/health`,
      { ca: pem.ca, cert: pem.cert, key: pem.key, timeout: timeoutMs },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve(res.statusCode === 200 && /"health"\s*:\s*"true"/.test(body)));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
