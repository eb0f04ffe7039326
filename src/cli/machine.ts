import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { engineVersion } from '../machine/engine-probe.js';
import { HostStateError } from '../machine/errors.js';
import { compileTemplate, unescapeFormat } from '../machine/template.js';
import { InvalidArgumentError } from '../util/errors.js';
import { SHOAL_VERSION } from '../version.js';
import { forEachName, manyNames, oneName, serviceFor, withStore } from './machine-common.js';
import { addCreateCommand } from './machine-create.js';
import { addEnvCommand, checkedUrl } from './machine-env.js';
import { addLsCommand } from './machine-ls.js';
import { runAction } from './run-action.js';

type Opts = Record<string, unknown>;

function addSimple(machine: Command): void {
  withStore(machine.command('ip'))
    .description('Print the IP address of machines')
    .argument('[names...]')
    .action(
      runAction(async (names: string[], _o: Opts, self: Command) => {
        const svc = serviceFor(self);
        await forEachName(await manyNames(svc, names), async (n) => {
          process.stdout.write(`${await (await svc.load(n)).driver.ip()}\n`);
        });
      }),
    );

  withStore(machine.command('url'))
    .description('Print the engine URL of a machine')
    .argument('[name]')
    .action(
      runAction(async (name: string | undefined, _o: Opts, self: Command) => {
        const svc = serviceFor(self);
        process.stdout.write(`${await (await svc.load(await oneName(svc, name))).driver.url()}\n`);
      }),
    );

  withStore(machine.command('status'))
    .description('Print the state of a machine')
    .argument('[name]')
    .action(
      runAction(async (name: string | undefined, _o: Opts, self: Command) => {
        const svc = serviceFor(self);
        process.stdout.write(`${await (await svc.load(await oneName(svc, name))).driver.state()}\n`);
      }),
    );

  withStore(machine.command('inspect'))
    .description('Print the host record as JSON, or through a Go-template format')
    .argument('[name]')
    .option('-f, --format <template>', 'Go template over the record (helpers: json, prettyjson)')
    .action(
      runAction(async (name: string | undefined, o: Opts, self: Command) => {
        const svc = serviceFor(self);
        const host = await svc.load(await oneName(svc, name));
        const format = o.format as string | undefined;
        if (!format) {
          process.stdout.write(`${JSON.stringify(host.record, null, 4)}\n`);
          return;
        }
        process.stdout.write(`${compileTemplate(unescapeFormat(format)).render(host.record)}\n`);
      }),
    );

  withStore(machine.command('config'))
    .description('Print the docker client flags for a machine')
    .argument('[name]')
    .option('--swarm', 'point at the swarm manager')
    .action(
      runAction(async (name: string | undefined, o: Opts, self: Command) => {
        const svc = serviceFor(self);
        const host = await svc.load(await oneName(svc, name));
        const url = await checkedUrl(svc, host, Boolean(o.swarm));
        const d = host.machineDir;
        process.stdout.write(
          `--tlsverify\n--tlscacert="${d}/ca.pem"\n--tlscert="${d}/cert.pem"\n--tlskey="${d}/key.pem"\n-H=${url}\n`,
        );
      }),
    );

  withStore(machine.command('active'))
    .description('Print the machine whose URL equals $DOCKER_HOST')
    .option('-t, --timeout <secs>', 'timeout in seconds', '10')
    .action(
      runAction(async (o: Opts, self: Command) => {
        const dockerHost = process.env.DOCKER_HOST ?? '';
        if (dockerHost === '') throw new HostStateError('No active host found');
        const svc = serviceFor(self);
        const timeoutMs = Number(o.timeout) * 1000;
        const { listHosts } = await import('../machine/ls.js');
        const items = await listHosts(svc, { timeoutMs, dockerHost });
        const active = items.find((i) => (i.ActiveHost || i.ActiveSwarm) && i.State === 'Running');
        if (!active) {
          if (items.some((i) => i.State === 'Timeout'))
            throw new HostStateError('Error getting active host: timeout');
          throw new HostStateError('No active host found');
        }
        process.stdout.write(`${active.Name}\n`);
      }),
    );

  withStore(machine.command('version'))
    .description("Print shoal's version, or a machine's engine version")
    .argument('[name]')
    .action(
      runAction(async (name: string | undefined, _o: Opts, self: Command) => {
        if (!name) {
          process.stdout.write(`shoal version ${SHOAL_VERSION}\n`);
          return;
        }
        const svc = serviceFor(self);
        const host = await svc.load(name);
        const v = await engineVersion(await host.driver.url(), svc.clientTls(name), 20_000);
        process.stdout.write(`${v.Version}\n`);
      }),
    );
}

function addLifecycle(machine: Command): void {
  const ops = [
    ['start', 'Start machines'],
    ['stop', 'Stop machines'],
    ['restart', 'Restart machines'],
    ['kill', 'Kill machines'],
    ['provision', 'Re-run provisioning on machines'],
  ] as const;
  for (const [op, desc] of ops) {
    withStore(machine.command(op))
      .description(desc)
      .argument('[names...]')
      .action(
        runAction(async (names: string[], _o: Opts, self: Command) => {
          const svc = serviceFor(self, { progress: op === 'provision' });
          await forEachName(await manyNames(svc, names), async (n) => {
            await svc[op](n);
            if (op === 'start' || op === 'restart') {
              process.stdout.write(
                `Machine "${n}" was ${op}ed. Its IP address may have changed: check with "shoal machine env ${n}".\n`,
              );
            } else if (op !== 'provision') {
              process.stdout.write(`Machine "${n}": ${op} done.\n`);
            }
          });
        }),
      );
  }

  withStore(machine.command('regenerate-certs'))
    .description('Regenerate TLS certificates for machines (fixes a host whose IP changed)')
    .argument('[names...]')
    .option('-f, --force', 'do not ask for confirmation')
    .option('--client-certs', 'also regenerate the CA and client certificate')
    .action(
      runAction(async (names: string[], o: Opts, self: Command) => {
        const svc = serviceFor(self, { progress: true });
        const targets = await manyNames(svc, names);
        if (
          !o.force &&
          !(await confirm(`Regenerate TLS machine certs? Warning: this is irreversible. (y/n): `))
        ) {
          throw new InvalidArgumentError('Aborted');
        }
        // one at a time: --client-certs replaces the shared CA, which every target then uses
        let first = true;
        for (const n of targets) {
          await svc.regenerateCerts(n, { clientCerts: Boolean(o.clientCerts) && first });
          first = false;
        }
      }),
    );

  withStore(machine.command('rm'))
    .description('Remove machines')
    .argument('[names...]')
    .option('-f, --force', 'remove local data even if the driver fails; no prompt')
    .option('-y', 'assume yes: no prompt')
    .action(
      runAction(async (names: string[], o: Opts, self: Command) => {
        const svc = serviceFor(self);
        if (names.length === 0) throw new InvalidArgumentError('No machine name(s) specified');
        if (!o.force && !o.y) {
          process.stdout.write(`About to remove ${names.join(', ')}\n`);
          if (!(await confirm('Are you sure? (y/n): '))) throw new InvalidArgumentError('Aborted');
        }
        await forEachName(names, async (n) => {
          await svc.remove(n, { force: Boolean(o.force) });
          process.stdout.write(`Successfully removed ${n}\n`);
        });
      }),
    );

  machine
    .command('ssh')
    .description('Open a shell on a machine, or run a command there')
    .argument('[name]')
    .argument('[cmd...]')
    .option('-s, --storage-path <path>', 'machine store path')
    .passThroughOptions()
    .action(
      runAction(async (name: string | undefined, cmd: string[], _o: Opts, self: Command) => {
        const svc = serviceFor(self);
        const host = await svc.load(await oneName(svc, name));
        const state = await host.driver.state();
        if (state !== 'Running') throw new HostStateError(`"${host.name}" is not running (state: ${state})`);
        const argv = await host.driver.shellArgv(cmd);
        const [bin, ...args] = argv;
        if (!bin) throw new HostStateError('the driver gave no shell command');
        const code = await new Promise<number>((resolve, reject) => {
          const child = spawn(bin, args, { stdio: 'inherit' });
          child.on('error', reject);
          child.on('exit', (c, sig) => resolve(c ?? (sig ? 128 : 1)));
        });
        process.exitCode = code;
      }),
    );
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY && process.stdin.readableEnded) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await Promise.race([
      rl.question(question),
      new Promise<string>((r) => rl.once('close', () => r(''))),
    ]);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** The `shoal machine` command group (docker-machine's commands). */
export function machineCommands(program: Command): void {
  const machine = program
    .command('machine')
    .description('Create and manage Docker hosts (docker-machine)')
    .option('-s, --storage-path <path>', 'machine store path (env SHOAL_STORAGE_PATH, default ~/.shoal)')
    .enablePositionalOptions();
  addCreateCommand(machine);
  addLsCommand(machine);
  addEnvCommand(machine);
  addSimple(machine);
  addLifecycle(machine);
}
