import { readFile } from 'node:fs/promises';
import { Client } from 'ssh2';
import type { ExecResult } from '../../driver.js';
import { SshError } from '../../errors.js';

/** Where and how to reach a host over SSH. */
export interface SshTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Private key file; when empty, the SSH agent (`SSH_AUTH_SOCK`) is used. */
  readonly keyPath: string;
  readonly timeoutMs?: number;
}

/**
 * Runs one command over SSH (ssh2, no external binary), feeding `stdin` when given. Host keys are not checked, as
 * docker-machine's `StrictHostKeyChecking=no` — the machine was just made or named by the user.
 */
export async function sshExec(t: SshTarget, command: string, stdin?: string): Promise<ExecResult> {
  const privateKey = t.keyPath ? await readFile(t.keyPath) : undefined;
  const conn = new Client();
  return new Promise<ExecResult>((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      conn.end();
      reject(
        new SshError(`ssh ${t.user}@${t.host}:${t.port}: ${(err as Error).message ?? String(err)}`, {
          cause: err,
        }),
      );
    };
    conn.on('error', fail);
    conn.on('ready', () => {
      conn.exec(command, (err, stream) => {
        if (err) return fail(err);
        let stdout = '';
        let stderr = '';
        stream.on('data', (d: Buffer) => {
          stdout += d.toString();
        });
        stream.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
        });
        stream.on('close', (code: number | null) => {
          if (settled) return;
          settled = true;
          conn.end();
          resolve({ code: code ?? 255, stdout, stderr });
        });
        if (stdin !== undefined) stream.end(stdin);
        else stream.end();
      });
    });
    conn.connect({
      host: t.host,
      port: t.port,
      username: t.user,
      privateKey,
      agent: privateKey ? undefined : process.env.SSH_AUTH_SOCK,
      readyTimeout: t.timeoutMs ?? 10_000,
      hostVerifier: () => true,
    });
  });
}

/** Argv of the external `ssh` client with docker-machine's options, for interactive `shoal machine ssh`. */
export function sshArgv(t: SshTarget, cmd: readonly string[]): string[] {
  const argv = [
    'ssh',
    '-F',
    '/dev/null',
    '-o',
    'ConnectionAttempts=3',
    '-o',
    'ConnectTimeout=10',
    '-o',
    'ControlMaster=no',
    '-o',
    'ControlPath=none',
    '-o',
    'LogLevel=quiet',
    '-o',
    'PasswordAuthentication=no',
    '-o',
    'ServerAliveInterval=60',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
  ];
  if (t.keyPath) argv.push('-o', 'IdentitiesOnly=yes', '-i', t.keyPath);
  argv.push('-p', String(t.port), `${t.user}@${t.host}`);
  if (cmd.length > 0) argv.push(...cmd);
  return argv;
}
