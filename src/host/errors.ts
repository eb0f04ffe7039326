import { ClusterError } from '../util/errors.js';

/** A host-side command (`ip`, `iptables`, `nsenter`, `unshare`, `mount`...) exited with a non-zero code. */
export class HostCommandError extends ClusterError {
  override readonly code: string = 'HOST_COMMAND';
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`${argv.join(' ')} failed (exit ${exitCode}): ${stderr.trim().split('\n').slice(-3).join(' / ')}`);
  }
}

/** A detached daemon could not be spawned, exited while starting, or did not become ready in time. */
export class DaemonStartError extends ClusterError {
  override readonly code: string = 'DAEMON_START';
  override readonly httpStatus: number = 503;
}

/** A namespace set of that name exists already (made by another machine or store). */
export class NamespaceExistsError extends ClusterError {
  override readonly code: string = 'NAMESPACE_EXISTS';
  override readonly httpStatus: number = 409;
}
