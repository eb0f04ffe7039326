import { readFile } from 'node:fs/promises';
import { Client } from 'ssh2';
import { SshError } from '../../errors.js';
import type { SshTarget } from './ssh-client.js';

/**
 * Copies a local file to `remotePath` on the host over SFTP (ssh2, no external binary), with mode `mode`. The user
 * must be able to write there (a sudo user uploads to a temporary path first, then moves the file with sudo).
 */
export async function sshUpload(
  t: SshTarget,
  localPath: string,
  remotePath: string,
  mode: number,
): Promise<void> {
  const privateKey = t.keyPath ? await readFile(t.keyPath) : undefined;
  const conn = new Client();
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const done = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      conn.end();
      if (err === undefined) resolve();
      else
        reject(
          new SshError(
            `sftp ${localPath} to ${t.user}@${t.host}:${remotePath}: ${(err as Error).message ?? err}`,
            {
              cause: err,
            },
          ),
        );
    };
    conn.on('error', done);
    conn.on('ready', () => {
      conn.sftp((err, sftp) => {
        if (err) return done(err);
        sftp.fastPut(localPath, remotePath, { mode }, (e) => {
          if (e) return done(e);
          sftp.chmod(remotePath, mode, (c) => done(c ?? undefined));
        });
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
