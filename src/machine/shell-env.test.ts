import { describe, expect, it } from 'vitest';
import { detectShell, envCommand, noProxyVar, renderEnv, renderUnset } from './shell-env.js';

const vars: [string, string][] = [
  ['DOCKER_TLS_VERIFY', '1'],
  ['DOCKER_HOST', 'tcp://10.231.0.2:2376'],
  ['DOCKER_CERT_PATH', '/s/machines/dev'],
  ['DOCKER_MACHINE_NAME', 'dev'],
];

describe('env output', () => {
  it('POSIX (exact, as docker-machine)', () => {
    expect(renderEnv('bash', vars, envCommand('dev'))).toBe(
      [
        'export DOCKER_TLS_VERIFY="1"',
        'export DOCKER_HOST="tcp://10.231.0.2:2376"',
        'export DOCKER_CERT_PATH="/s/machines/dev"',
        'export DOCKER_MACHINE_NAME="dev"',
        '# Run this command to configure your shell: ',
        '# eval $(shoal machine env dev)',
        '',
      ].join('\n'),
    );
  });

  it.each([
    ['fish', 'set -gx DOCKER_HOST "tcp://10.231.0.2:2376";', '# eval (shoal machine env --shell fish dev)'],
    [
      'powershell',
      '$Env:DOCKER_HOST = "tcp://10.231.0.2:2376"',
      '# & shoal machine env --shell powershell dev | Invoke-Expression',
    ],
    [
      'cmd',
      'SET DOCKER_HOST=tcp://10.231.0.2:2376',
      `REM \t@FOR /f "tokens=*" %i IN ('shoal machine env --shell cmd dev') DO @%i`,
    ],
    ['tcsh', 'setenv DOCKER_HOST "tcp://10.231.0.2:2376";', '# eval `shoal machine env --shell tcsh dev`'],
    [
      'emacs',
      '(setenv "DOCKER_HOST" "tcp://10.231.0.2:2376")',
      ';; (with-output-to-temp-buffer "*shoal-env*" (shell-command "shoal machine env --shell emacs dev"))',
    ],
  ] as const)('%s', (shell, line, last) => {
    const out = renderEnv(shell, vars, envCommand('dev', { shell })).trimEnd().split('\n');
    expect(out[1]).toBe(line);
    expect(out.at(-1)).toBe(last);
    expect(out).toHaveLength(6);
  });

  it.each([
    ['bash', 'unset DOCKER_HOST'],
    ['fish', 'set -e DOCKER_HOST;'],
    ['powershell', 'Remove-Item Env:\\\\DOCKER_HOST'],
    ['cmd', 'SET DOCKER_HOST='],
    ['tcsh', 'unsetenv DOCKER_HOST;'],
    ['emacs', '(setenv "DOCKER_HOST" nil)'],
  ] as const)('unset %s', (shell, line) => {
    const out = renderUnset(
      shell,
      ['DOCKER_TLS_VERIFY', 'DOCKER_HOST'],
      envCommand('', { unset: true }),
    ).split('\n');
    expect(out[1]).toBe(line);
  });

  it('unset hint has no machine name', () => {
    expect(renderUnset('bash', ['X'], envCommand('', { unset: true }))).toContain(
      '# eval $(shoal machine env -u)',
    );
  });

  it('detects the shell from the flag or $SHELL', () => {
    expect(detectShell(undefined, '/usr/bin/fish')).toBe('fish');
    expect(detectShell(undefined, '/bin/tcsh')).toBe('tcsh');
    expect(detectShell(undefined, '/bin/zsh')).toBe('bash');
    expect(detectShell(undefined, '')).toBe('bash');
    expect(detectShell('powershell', '/bin/bash')).toBe('powershell');
    expect(() => detectShell('nushell')).toThrow(/Unknown shell/);
  });

  it('no-proxy appends the IP once and keeps the variable name in use', () => {
    expect(noProxyVar('10.231.0.2', {})).toEqual(['NO_PROXY', '10.231.0.2']);
    expect(noProxyVar('10.231.0.2', { no_proxy: 'localhost' })).toEqual(['no_proxy', 'localhost,10.231.0.2']);
    expect(noProxyVar('10.231.0.2', { NO_PROXY: '10.231.0.2,x' })).toEqual(['NO_PROXY', '10.231.0.2,x']);
  });
});
