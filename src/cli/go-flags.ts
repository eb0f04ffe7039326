import type { Command } from 'commander';
import { InvalidArgumentError } from '../util/errors.js';

/** The flags of one command, by name without dashes (`tls`, `host`, `H`). */
export interface FlagSpec {
  /** Flags that take no value (`--tls`, `--debug`). */
  readonly bools: ReadonlySet<string>;
  /** Flags that take a value (`--host`, `-H`, `--heartbeat`). */
  readonly values: ReadonlySet<string>;
}

/** Reads a command's flags from its commander options (long and short names, boolean or valued). */
export function flagSpecOf(cmd: Command): FlagSpec {
  const bools = new Set<string>(['help']);
  const values = new Set<string>();
  for (const o of cmd.options) {
    const names = [o.long, o.short].filter((n): n is string => Boolean(n)).map((n) => n.replace(/^-+/, ''));
    const target = o.required || o.optional ? values : bools;
    for (const n of names) target.add(n);
  }
  return { bools, values };
}

function dashes(name: string): string {
  return name.length === 1 ? `-${name}` : `--${name}`;
}

/**
 * Rewrites Go `flag` spellings that commander does not read, so scripts written for `swarm` work unchanged:
 * single-dash long flags (`-tlsverify`, `-heartbeat=1s`) become `--tlsverify`, `--heartbeat=1s`; a short flag
 * spelled Go's way (`-H=x`, `--H x`) becomes `-H x`; boolean flags given a value (`--tls=true`, `-debug=false`)
 * become the bare flag or disappear. Arguments after `--` and unknown flags are left alone.
 * @throws InvalidArgumentError for a boolean flag given something other than true/false/1/0/t/f.
 */
export function normalizeGoArgv(argv: readonly string[], spec: FlagSpec): string[] {
  const out: string[] = [];
  let rest = false;
  for (const arg of argv) {
    if (rest || arg === '--') {
      rest = true;
      out.push(arg);
      continue;
    }
    const m = /^--?([A-Za-z][A-Za-z0-9-]*)(?:=(.*))?$/s.exec(arg);
    const name = m?.[1];
    if (!m || name === undefined || !(spec.bools.has(name) || spec.values.has(name))) {
      out.push(arg);
      continue;
    }
    const value = m[2];
    if (spec.bools.has(name)) {
      if (value === undefined) {
        out.push(dashes(name));
        continue;
      }
      const v = value.toLowerCase();
      if (v === 'true' || v === '1' || v === 't') out.push(dashes(name));
      else if (v !== 'false' && v !== '0' && v !== 'f')
        throw new InvalidArgumentError(`invalid boolean value "${value}" for -${name}`);
      continue;
    }
    if (value === undefined) out.push(dashes(name));
    else if (name.length === 1) out.push(`-${name}`, value);
    else out.push(`--${name}=${value}`);
  }
  return out;
}

/** Swarm's global flags, given before the sub-command (`swarm -l debug manage ...`). */
export interface GlobalFlags {
  readonly debug: boolean;
  readonly experimental: boolean;
  readonly logLevel: string | undefined;
}

/** Commands that take Swarm's global flags (manage, join, list, create and their aliases). */
export const SWARM_COMMANDS: ReadonlySet<string> = new Set([
  'manage',
  'm',
  'join',
  'j',
  'list',
  'l',
  'create',
  'c',
]);

const GLOBAL_BOOLS = new Set(['debug', 'experimental']);
const GLOBAL_VALUES = new Set(['l', 'log-level']);

/**
 * Moves Swarm's global flags (`--debug`, `-l/--log-level`, `--experimental`, in any Go spelling) from before a
 * Swarm sub-command to right after it, where that command reads them: `-l debug manage X` → `manage --log-level
 * debug X`. Arguments of other commands (machine, up) and arguments without a Swarm sub-command are returned
 * unchanged.
 * @throws InvalidArgumentError for a global flag without its value or a bad boolean.
 */
export function hoistGlobalFlags(argv: readonly string[]): string[] {
  const globals: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    const m = /^--?([A-Za-z][A-Za-z-]*)(?:=(.*))?$/s.exec(arg);
    const name = m?.[1];
    if (!m || name === undefined) break;
    if (GLOBAL_BOOLS.has(name)) {
      globals.push(...normalizeGoArgv([arg], { bools: GLOBAL_BOOLS, values: new Set() }));
    } else if (GLOBAL_VALUES.has(name)) {
      let value = m[2];
      if (value === undefined) {
        value = argv[i + 1];
        i++;
        if (value === undefined) throw new InvalidArgumentError(`flag needs an argument: -${name}`);
      }
      globals.push('--log-level', value);
    } else {
      return [...argv];
    }
  }
  const command = argv[i];
  if (globals.length === 0 || command === undefined || !SWARM_COMMANDS.has(command)) return [...argv];
  return [command, ...globals, ...argv.slice(i + 1)];
}

/** Adds Swarm's global flags to a sub-command, so they are accepted both before and after its name. */
export function withGlobalFlags(cmd: Command): Command {
  return cmd
    .option('--debug', 'debug mode (env DEBUG)')
    .option('-l, --log-level <level>', 'log level: debug, info, warn, error, fatal, panic')
    .option('--experimental', 'enable experimental features');
}

/** Swarm's log levels, lowest first. */
export const SWARM_LOG_LEVELS: readonly string[] = ['debug', 'info', 'warn', 'error', 'fatal', 'panic'];

/**
 * The log threshold from Swarm's global flags: `--log-level` wins, `--debug` (or `$DEBUG`) means debug, otherwise
 * info.
 * @throws InvalidArgumentError for a level Swarm does not know.
 */
export function swarmLogLevel(flags: { debug?: boolean; logLevel?: string }, env = process.env): string {
  const debug = Boolean(flags.debug) || Boolean(env.DEBUG && env.DEBUG !== '0' && env.DEBUG !== 'false');
  const level = flags.logLevel ?? (debug ? 'debug' : 'info');
  if (!SWARM_LOG_LEVELS.includes(level)) {
    throw new InvalidArgumentError(
      `not a valid log level: "${level}" (valid: ${SWARM_LOG_LEVELS.join(', ')})`,
    );
  }
  return level;
}
