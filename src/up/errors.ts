import { ClusterError } from '../util/errors.js';

/** One step of `shoal up` failed; the message names the step and the cause. */
export class UpStepError extends ClusterError {
  override readonly code: string = 'UP_STEP';
  override readonly httpStatus: number = 500;
}

/** `shoal down` / `shoal status` found no cluster made by `shoal up` in the store. */
export class NoUpClusterError extends ClusterError {
  override readonly code: string = 'NO_UP_CLUSTER';
  override readonly httpStatus: number = 404;
}

/** `up`'s state file is unreadable or not the JSON `up` writes (edited or damaged by hand). */
export class UpStateError extends ClusterError {
  override readonly code: string = 'UP_STATE';
}
