import { readFile } from 'node:fs/promises';
import type { AuthPaths, EngineOptions, ExecResult, Provisioner } from '../../driver.js';
import { ProvisionError } from '../../errors.js';

/** Where certificates go on a provisioned host. */
export const REMOTE_CERT_DIR = '/etc/docker';

/** Single-quotes a value for POSIX sh. */
export function shQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

/**
 * dockerd's flags for a machine, in docker-machine's order (docs/behaviour/machine.md#engine-configuration).
 */
export function dockerdArgs(engine: EngineOptions, driverName: string, certDir = REMOTE_CERT_DIR): string[] {
  const args = ['-H', `tcp://0.0.0.0:${engine.port}`, '-H', 'unix:///var/run/docker.sock'];
  if (engine.storageDriver) args.push('--storage-driver', engine.storageDriver);
  args.push(
    '--tlsverify',
    '--tlscacert',
    `${certDir}/ca.pem`,
    '--tlscert',
    `${certDir}/server.pem`,
    '--tlskey',
    `${certDir}/server-key.pem`,
  );
  for (const l of [...engine.labels, `provider=${driverName}`]) args.push('--label', l);
  for (const r of engine.insecureRegistry) args.push('--insecure-registry', r);
  for (const m of engine.registryMirror) args.push('--registry-mirror', m);
  for (const o of engine.arbitraryFlags) args.push(`--${o}`);
  return args;
}

/** The systemd drop-in `10-machine.conf` for these options. */
export function systemdDropIn(engine: EngineOptions, driverName: string): string {
  const env = engine.env.map((e) => `"${e.replace(/"/g, '\\"')}"`).join(' ');
  return [
    '[Service]',
    'ExecStart=',
    `ExecStart=/usr/bin/dockerd ${dockerdArgs(engine, driverName).join(' ')}`,
    `Environment=${env}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/**
 * The SSH provisioner (systemd family, plus a plain-process fallback for hosts without systemd): checks dockerd is
 * installed (offline: no install script), uploads `ca.pem`, `server.pem`, `server-key.pem` to `/etc/docker`, then
 * either writes the systemd drop-in and restarts docker, or stops the dockerd of `/var/run/docker.pid` and starts a
 * new one in the background; finally waits until the engine port listens (10 tries, 3 s apart).
 */
export class GenericProvisioner implements Provisioner {
  readonly name = 'generic';

  constructor(
    private readonly run: (cmd: string, stdin?: string) => Promise<ExecResult>,
    private readonly driverName: string,
    private readonly sleep: (ms: number) => Promise<void>,
    /** Prefix for privileged commands: `sudo ` for a normal user, '' when logged in as root (no sudo needed). */
    private readonly sudo = 'sudo ',
  ) {}

  private async must(cmd: string, stdin?: string): Promise<string> {
    const r = await this.run(cmd, stdin);
    if (r.code !== 0)
      throw new ProvisionError(`"${cmd}" exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
    return r.stdout;
  }

  async provision(opts: { readonly engine: EngineOptions; readonly auth: AuthPaths }): Promise<void> {
    const { engine, auth } = opts;
    const has = await this.run('command -v dockerd');
    if (has.code !== 0)
      throw new ProvisionError('dockerd is not installed on the host (no install script offline)');
    await this.must(`${this.sudo}mkdir -p ${REMOTE_CERT_DIR}`);
    const uploads: [string, string, string][] = [
      [auth.caCert, 'ca.pem', '644'],
      [auth.serverCert, 'server.pem', '644'],
      [auth.serverKey, 'server-key.pem', '600'],
    ];
    for (const [local, remote, mode] of uploads) {
      const dest = `${REMOTE_CERT_DIR}/${remote}`;
      await this.must(
        `${this.sudo}tee ${dest} >/dev/null && ${this.sudo}chmod ${mode} ${dest}`,
        await readFile(local, 'utf8'),
      );
    }
    const systemd = (await this.run('test -d /run/systemd/system')).code === 0;
    if (systemd) {
      await this.must(`${this.sudo}mkdir -p /etc/systemd/system/docker.service.d`);
      await this.must(
        `${this.sudo}tee /etc/systemd/system/docker.service.d/10-machine.conf >/dev/null`,
        systemdDropIn(engine, this.driverName),
      );
      await this.must(
        `${this.sudo}systemctl daemon-reload && ${this.sudo}systemctl restart docker && ${this.sudo}systemctl enable docker`,
      );
    } else {
      const envs = engine.env.map((e) => shQuote(e)).join(' ');
      const args = dockerdArgs(engine, this.driverName).map(shQuote).join(' ');
      await this.run(
        `if [ -f /var/run/docker.pid ]; then p=$(cat /var/run/docker.pid); ${this.sudo}kill "$p"; ` +
          'for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done; fi',
      );
      await this.must(
        `${this.sudo}sh -c ${shQuote(`${envs ? `env ${envs} ` : ''}nohup dockerd ${args} >/var/log/shoal-dockerd.log 2>&1 </dev/null &`)}`,
      );
    }
    for (let i = 0; i < 10; i++) {
      const r = await this.run(`(ss -tln 2>/dev/null || netstat -tln) | grep -q ':${engine.port} '`);
      if (r.code === 0) return;
      await this.sleep(3000);
    }
    throw new ProvisionError(`the engine did not listen on port ${engine.port} after provisioning`);
  }
}
