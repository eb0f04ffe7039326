import type { Command } from 'commander';
import { engineGet } from '../machine/engine-probe.js';
import { CertificateError, HostStateError } from '../machine/errors.js';
import type { Host, MachineService } from '../machine/machine-service.js';
import { detectShell, envCommand, noProxyVar, renderEnv, renderUnset } from '../machine/shell-env.js';
import { oneName, serviceFor, withStore } from './machine-common.js';
import { runAction } from './run-action.js';

/** Variables `env` sets (and `env -u` unsets). */
export const ENV_KEYS = [
  'DOCKER_TLS_VERIFY',
  'DOCKER_HOST',
  'DOCKER_CERT_PATH',
  'DOCKER_MACHINE_NAME',
] as const;

/**
 * The engine (or swarm manager) URL of a host after the TLS check of docs/behaviour/machine.md#certificates;
 * with `swarm`, the master's manager URL. Throws the "error validating certificates" message with the
 * regenerate-certs hint when TLS fails.
 */
export async function checkedUrl(svc: MachineService, host: Host, swarm: boolean): Promise<string> {
  const state = await host.driver.state();
  if (state !== 'Running') throw new HostStateError(`"${host.name}" is not running (state: ${state})`);
  const url = await host.driver.url();
  const so = host.record.HostOptions.SwarmOptions;
  if (swarm && !so.Master) {
    throw new HostStateError(
      `"${host.name}" is not a swarm master. The --swarm flag is intended for use with swarm masters`,
    );
  }
  try {
    await engineGet(url, '/_ping', svc.clientTls(host.name), 20_000);
  } catch (err) {
    throw new CertificateError(
      `There was an error validating certificates for host "${url.replace(/^tcp:\/\//, '')}": ${(err as Error).message}. ` +
        `You can attempt to regenerate them using 'shoal machine regenerate-certs ${host.name}'`,
      { cause: err },
    );
  }
  if (!swarm) return url;
  const ip = await host.driver.ip();
  const port = /:(\d+)$/.exec(so.Host)?.[1] ?? '3376';
  const swarmUrl = `tcp://${ip}:${port}`;
  try {
    await engineGet(swarmUrl, '/_ping', svc.clientTls(host.name), 20_000);
  } catch {
    process.stderr.write(
      'Connection to Swarm cannot be checked but the certs are valid. Maybe swarm is not started\n',
    );
  }
  return swarmUrl;
}

/** `shoal machine env [NAME]`. */
export function addEnvCommand(machine: Command): void {
  withStore(machine.command('env'))
    .description('Display the commands to set up the environment for the Docker client')
    .argument('[name]', 'machine name (default: "default")')
    .option('--swarm', 'point at the swarm manager instead of the engine')
    .option('--shell <shell>', 'bash (POSIX), fish, powershell, cmd, tcsh, emacs (default: from $SHELL)')
    .option('-u, --unset', 'print the commands that unset the variables')
    .option('--no-proxy', 'add the machine IP to NO_PROXY')
    .action(
      runAction(async (name: string | undefined, o: Record<string, unknown>, self: Command) => {
        const shell = detectShell(o.shell as string | undefined);
        const svc = serviceFor(self);
        if (o.unset) {
          if (name) throw new HostStateError('Error: Expected no machine name when the -u flag is present');
          const keys: string[] = [...ENV_KEYS];
          if (o.proxy === false)
            keys.push(
              process.env.no_proxy !== undefined && process.env.NO_PROXY === undefined
                ? 'no_proxy'
                : 'NO_PROXY',
            );
          process.stdout.write(
            renderUnset(shell, keys, envCommand('', { shell: o.shell as string | undefined, unset: true })),
          );
          return;
        }
        const host = await svc.load(await oneName(svc, name));
        const url = await checkedUrl(svc, host, Boolean(o.swarm));
        const vars: [string, string][] = [
          ['DOCKER_TLS_VERIFY', '1'],
          ['DOCKER_HOST', url],
          ['DOCKER_CERT_PATH', host.machineDir],
          ['DOCKER_MACHINE_NAME', host.name],
        ];
        // commander turns `--no-proxy` into `proxy: false`
        if (o.proxy === false) vars.push(noProxyVar(await host.driver.ip()));
        const hint = envCommand(host.name, { shell: o.shell as string | undefined, swarm: Boolean(o.swarm) });
        process.stdout.write(renderEnv(shell, vars, hint));
      }),
    );
}
