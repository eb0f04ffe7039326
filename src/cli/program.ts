import { Command } from 'commander';
import { SHOAL_VERSION } from '../version.js';
import { flagSpecOf, hoistGlobalFlags, normalizeGoArgv } from './go-flags.js';

/**
 * A command group adds its sub-commands to the root program. Groups are listed explicitly in {@link commandGroups};
 * nothing registers itself by being imported.
 */
export type CommandGroup = (program: Command) => void;

/** A command group with the top-level command names it defines, loaded only when one of them is invoked. */
export interface CommandGroupEntry {
  /** Top-level command names and aliases (`machine`, `manage`, `m`, ...). */
  readonly commands: readonly string[];
  readonly load: () => Promise<CommandGroup>;
}

/**
 * Every command group of the `shoal` CLI, in help order. Groups are imported lazily: `shoal machine ls` does not pay
 * for loading the etcd and gRPC clients that `shoal manage` needs.
 */
export const commandGroups: readonly CommandGroupEntry[] = [
  { commands: ['create', 'c'], load: async () => (await import('./create.js')).createCommand },
  { commands: ['dashboard'], load: async () => (await import('./dashboard.js')).dashboardCommand },
  { commands: ['join', 'j'], load: async () => (await import('./join.js')).joinCommand },
  { commands: ['list', 'l'], load: async () => (await import('./list.js')).listCommand },
  { commands: ['machine'], load: async () => (await import('./machine.js')).machineCommands },
  { commands: ['manage', 'm'], load: async () => (await import('./manage.js')).manageCommand },
  { commands: ['node'], load: async () => (await import('./node.js')).nodeCommands },
  { commands: ['explain', 'plan'], load: async () => (await import('./placement.js')).placementCommands },
  { commands: ['up', 'down', 'status'], load: async () => (await import('./up.js')).upCommands },
];

/**
 * Builds the root `shoal` program. With `argv` (the arguments after the program name), only the group that owns
 * the invoked command is loaded; without one, or when no group matches (top-level help, a typo), all are.
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('shoal')
    .description(
      'A simple Docker cluster: hosts, a KV cluster, replicated managers and one Docker API over all hosts.',
    )
    .version(`shoal version ${SHOAL_VERSION}`, '-v, --version')
    .enablePositionalOptions();
  const first = argv?.find((a) => !a.startsWith('-'));
  const wanted = commandGroups.filter((g) => first !== undefined && g.commands.includes(first));
  const versionOnly =
    first === undefined && argv !== undefined && argv.some((a) => a === '-v' || a === '--version');
  const chosen = wanted.length > 0 ? wanted : versionOnly ? [] : commandGroups;
  const groups = await Promise.all(chosen.map((g) => g.load()));
  for (const group of groups) group(program);
  return program;
}

/** Sub-commands whose own flags are read in Go's spellings here (`manage` reads its own, see manage-flags.ts). */
const GO_FLAG_COMMANDS = new Set(['join', 'j', 'list', 'l', 'create', 'c']);

/**
 * Prepares the arguments after the program name the way `swarm` read them: Swarm's global flags before the
 * sub-command move after it (`-l debug manage` → `manage --log-level debug`), and for `join`, `list` and `create`
 * single-dash long flags and Go boolean spellings (`-heartbeat=1s`, `-debug=true`) become commander's.
 * @throws InvalidArgumentError for a malformed global or boolean flag.
 */
export function prepareArgv(program: Command, argv: readonly string[]): string[] {
  const hoisted = hoistGlobalFlags(argv);
  const name = hoisted[0];
  if (name === undefined || !GO_FLAG_COMMANDS.has(name)) return hoisted;
  const sub = program.commands.find((c) => c.name() === name || c.aliases().includes(name));
  if (!sub) return hoisted;
  return [name, ...normalizeGoArgv(hoisted.slice(1), flagSpecOf(sub))];
}
