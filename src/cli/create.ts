import type { Command } from 'commander';
import { DiscoveryNotAvailableError } from '../discovery/index.js';
import { InvalidArgumentError } from '../util/errors.js';
import { withGlobalFlags } from './go-flags.js';
import { runAction } from './run-action.js';

/**
 * `shoal create`: Swarm's command that asked Docker Hub's hosted discovery service for a cluster token. That service
 * was shut down in 2019, so the command takes Swarm's flags and arguments check and then refuses, naming the
 * discovery schemes that work (exit status 1).
 */
export function createCommand(program: Command): void {
  withGlobalFlags(program.command('create'))
    .alias('c')
    .description("Create a cluster token (Swarm's hosted token service; gone, see shoal:// discovery)")
    .argument('[args...]')
    .action(
      runAction(async (args: string[]) => {
        if (args.length > 0) {
          throw new InvalidArgumentError(
            "the `create` command takes no arguments. See 'shoal create --help'.",
          );
        }
        throw new DiscoveryNotAvailableError(
          "token creation is not available: it used Docker Hub's hosted discovery service, which was shut down " +
            'in 2019; use shoal://MANAGER:PORT (registration with the manager, no token needed), etcd://HOST:2379, ' +
            'file:///path or nodes://HOST:PORT,...',
        );
      }),
    );
}
