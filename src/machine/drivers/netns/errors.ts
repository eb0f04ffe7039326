import { DaemonStartError } from '../../../host/errors.js';
import { ClusterError } from '../../../util/errors.js';

/** The engine (dockerd) of a netns machine exited or did not answer while starting. */
export class EngineStartError extends DaemonStartError {
  override readonly code: string = 'ENGINE_START';
}

/** No free address is left in the machine subnet. */
export class SubnetExhaustedError extends ClusterError {
  override readonly code: string = 'SUBNET_EXHAUSTED';
  override readonly httpStatus: number = 409;
}
