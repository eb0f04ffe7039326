import { ClusterError } from '../../../util/errors.js';

/** A host-side command of the netns driver (`ip`, `iptables`, `nsenter`, `unshare`, `mount`) failed. */
export class NetnsCommandError extends ClusterError {
  override readonly code: string = 'NETNS_COMMAND';
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`${argv.join(' ')} failed (exit ${exitCode}): ${stderr.trim().split('\n').slice(-3).join(' / ')}`);
  }
}

/** The engine (dockerd) of a netns machine exited or did not answer while starting. */
export class EngineStartError extends ClusterError {
  override readonly code: string = 'ENGINE_START';
  override readonly httpStatus: number = 503;
}

/** No free address is left in the machine subnet. */
export class SubnetExhaustedError extends ClusterError {
  override readonly code: string = 'SUBNET_EXHAUSTED';
  override readonly httpStatus: number = 409;
}
