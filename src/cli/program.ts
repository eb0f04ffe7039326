import { Command } from 'commander';
import { SHOAL_VERSION } from '../version.js';
import { joinCommand } from './join.js';
import { listCommand } from './list.js';
import { machineCommands } from './machine.js';
import { manageCommand } from './manage.js';
import { upCommands } from './up.js';

/**
 * A command group adds its sub-commands to the root program. Groups are listed explicitly in {@link commandGroups};
 * nothing registers itself by being imported.
 */
export type CommandGroup = (program: Command) => void;

/** Every command group of the `shoal` CLI, in help order. */
export const commandGroups: readonly CommandGroup[] = [
  joinCommand,
  listCommand,
  machineCommands,
  manageCommand,
  upCommands,
];

/** Builds the root `shoal` program with every command group. */
export function buildProgram(): Command {
  const program = new Command('shoal')
    .description(
      'A simple Docker cluster: hosts, a KV cluster, replicated managers and one Docker API over all hosts.',
    )
    .version(`shoal version ${SHOAL_VERSION}`, '-v, --version')
    .showHelpAfterError('(add --help for usage)')
    .enablePositionalOptions();
  for (const group of commandGroups) group(program);
  return program;
}
