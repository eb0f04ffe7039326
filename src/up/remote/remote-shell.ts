import type { ExecResult } from '../../host/run.js';
import { shQuote } from '../../machine/drivers/generic/generic-provisioner.js';
import { type SshTarget, sshExec } from '../../machine/drivers/generic/ssh-client.js';
import { sshUpload } from '../../machine/drivers/generic/ssh-upload.js';
import { UpStepError } from '../errors.js';
import type { RemoteHost } from './hosts-file.js';

/** Shell access to one host of a hosts file: commands (as root, through `sudo -n` for other users) and uploads. */
export class RemoteShell {
  /** `sudo -n ` for a normal user, '' for root. */
  readonly sudo: string;

  constructor(readonly host: RemoteHost) {
    this.sudo = host.sshUser === 'root' ? '' : 'sudo -n ';
  }

  /** The SSH target of the host. */
  target(timeoutMs = 15_000): SshTarget {
    const h = this.host;
    return { host: h.ip, port: h.sshPort, user: h.sshUser, keyPath: h.sshKey, timeoutMs };
  }

  /** Runs `script` with `sh` as root; `stdin` is fed to it. */
  run(script: string, stdin?: string): Promise<ExecResult> {
    return sshExec(this.target(), `${this.sudo}sh -c ${shQuote(script)}`, stdin);
  }

  /** Runs `script` as root and returns its stdout. @throws UpStepError naming the host, on a non-zero exit. */
  async must(script: string, what: string, stdin?: string): Promise<string> {
    const r = await this.run(script, stdin);
    if (r.code !== 0) {
      throw new UpStepError(
        `${this.host.name} (${this.host.ip}): ${what} failed: ${(r.stderr || r.stdout).trim()}`,
      );
    }
    return r.stdout;
  }

  /** Writes `content` to `path` as root with `mode` (octal text, e.g. `600`), atomically (temp file, then mv). */
  async writeFile(path: string, content: string, mode: string): Promise<void> {
    const tmp = `${path}.shoal-tmp`;
    await this.must(
      `mkdir -p "$(dirname ${shQuote(path)})" && cat > ${shQuote(tmp)} && chmod ${mode} ${shQuote(tmp)} && mv ${shQuote(tmp)} ${shQuote(path)}`,
      `writing ${path}`,
      content,
    );
  }

  /** Copies a local (binary) file to `path` as root with `mode`: over SFTP to a temporary file, then moved. */
  async upload(localPath: string, path: string, mode: string): Promise<void> {
    const tmp = `/tmp/shoal-upload-${process.pid}-${Date.now()}`;
    await sshUpload(this.target(120_000), localPath, tmp, 0o600);
    await this.must(
      `mkdir -p "$(dirname ${shQuote(path)})" && mv ${shQuote(tmp)} ${shQuote(path)} && chown 0:0 ${shQuote(path)} && chmod ${mode} ${shQuote(path)}`,
      `installing ${path}`,
    );
  }
}
