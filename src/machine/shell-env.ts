import { InvalidArgumentError } from '../util/errors.js';

/** Shells `env --shell` knows. */
export const SHELLS = ['bash', 'fish', 'powershell', 'cmd', 'tcsh', 'emacs'] as const;
export type ShellName = (typeof SHELLS)[number];

/** Picks the shell: the `--shell` value, else from `$SHELL` (fish, tcsh/csh), else POSIX (`bash`). */
export function detectShell(flag: string | undefined, envShell = process.env.SHELL ?? ''): ShellName {
  const s = flag && flag !== '' ? flag : (envShell.split('/').pop() ?? '');
  if (flag && !(SHELLS as readonly string[]).includes(flag) && !['sh', 'zsh', 'csh'].includes(flag)) {
    throw new InvalidArgumentError(`Unknown shell "${flag}": use one of ${SHELLS.join(', ')}`);
  }
  if (s === 'fish') return 'fish';
  if (s === 'tcsh' || s === 'csh') return 'tcsh';
  if ((SHELLS as readonly string[]).includes(s)) return s as ShellName;
  return 'bash';
}

function setLine(shell: ShellName, k: string, v: string): string {
  switch (shell) {
    case 'fish':
      return `set -gx ${k} "${v}";`;
    case 'powershell':
      return `$Env:${k} = "${v}"`;
    case 'cmd':
      return `SET ${k}=${v}`;
    case 'tcsh':
      return `setenv ${k} "${v}";`;
    case 'emacs':
      return `(setenv "${k}" "${v}")`;
    default:
      return `export ${k}="${v}"`;
  }
}

function unsetLine(shell: ShellName, k: string): string {
  switch (shell) {
    case 'fish':
      return `set -e ${k};`;
    case 'powershell':
      return `Remove-Item Env:\\\\${k}`;
    case 'cmd':
      return `SET ${k}=`;
    case 'tcsh':
      return `unsetenv ${k};`;
    case 'emacs':
      return `(setenv "${k}" nil)`;
    default:
      return `unset ${k}`;
  }
}

function hint(shell: ShellName, cmd: string): string[] {
  switch (shell) {
    case 'fish':
      return ['# Run this command to configure your shell: ', `# eval (${cmd})`];
    case 'powershell':
      return ['# Run this command to configure your shell: ', `# & ${cmd} | Invoke-Expression`];
    case 'cmd':
      return [
        'REM Run this command to configure your shell: ',
        `REM 	@FOR /f "tokens=*" %i IN ('${cmd}') DO @%i`,
      ];
    case 'tcsh':
      return ['# Run this command to configure your shell: ', `# eval \`${cmd}\``];
    case 'emacs':
      return [
        ';; Run this command to configure your shell: ',
        `;; (with-output-to-temp-buffer "*shoal-env*" (shell-command "${cmd}"))`,
      ];
    default:
      return ['# Run this command to configure your shell: ', `# eval $(${cmd})`];
  }
}

/** The command the hint shows, e.g. `shoal machine env dev` or `shoal machine env --shell fish dev`. */
export function envCommand(
  name: string,
  opts: { shell?: string; swarm?: boolean; unset?: boolean } = {},
): string {
  const parts = ['shoal', 'machine', 'env'];
  if (opts.shell) parts.push('--shell', opts.shell);
  if (opts.swarm) parts.push('--swarm');
  if (opts.unset) parts.push('-u');
  else parts.push(name);
  return parts.join(' ');
}

/** `env` output: the set lines, then the two comment lines of the hint. */
export function renderEnv(
  shell: ShellName,
  vars: readonly (readonly [string, string])[],
  hintCmd: string,
): string {
  return `${[...vars.map(([k, v]) => setLine(shell, k, v)), ...hint(shell, hintCmd)].join('\n')}\n`;
}

/** `env --unset` output. */
export function renderUnset(shell: ShellName, keys: readonly string[], hintCmd: string): string {
  return `${[...keys.map((k) => unsetLine(shell, k)), ...hint(shell, hintCmd)].join('\n')}\n`;
}

/**
 * The NO_PROXY variable to emit for `--no-proxy`: keeps the name already in use (`NO_PROXY` or `no_proxy`) and
 * appends `ip` unless present.
 */
export function noProxyVar(ip: string, env: NodeJS.ProcessEnv = process.env): [string, string] {
  const key = env.NO_PROXY !== undefined ? 'NO_PROXY' : env.no_proxy !== undefined ? 'no_proxy' : 'NO_PROXY';
  const cur = env[key] ?? '';
  const list = cur.split(',').filter((x) => x !== '');
  if (!list.includes(ip)) list.push(ip);
  return [key, list.join(',')];
}
