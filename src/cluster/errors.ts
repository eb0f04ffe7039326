import { ClusterError, ConflictError, NotFoundError } from '../errors.js';

/** No container matches a reference (404, Engine wording "No such container: REF"). */
export class NoSuchContainerError extends NotFoundError {
  override readonly code: string = 'NO_SUCH_CONTAINER';
  constructor(ref: string, options?: { cause?: unknown }) {
    super(`No such container: ${ref}`, options);
  }
}

/** No image matches a reference (404, Engine wording "No such image: REF"). */
export class NoSuchImageError extends NotFoundError {
  override readonly code: string = 'NO_SUCH_IMAGE';
  constructor(ref: string, options?: { cause?: unknown }) {
    super(`No such image: ${ref}`, options);
  }
}

/** No network matches a reference (404, Engine wording "network REF not found"). */
export class NoSuchNetworkError extends NotFoundError {
  override readonly code: string = 'NO_SUCH_NETWORK';
  constructor(ref: string, options?: { cause?: unknown }) {
    super(`network ${ref} not found`, options);
  }
}

/** No volume matches a reference (404, Engine wording "get REF: no such volume"). */
export class NoSuchVolumeError extends NotFoundError {
  override readonly code: string = 'NO_SUCH_VOLUME';
  constructor(ref: string, options?: { cause?: unknown }) {
    super(`get ${ref}: no such volume`, options);
  }
}

/** No engine (node) matches a name, ID or address (404). */
export class NoSuchNodeError extends NotFoundError {
  override readonly code: string = 'NO_SUCH_NODE';
  constructor(ref: string, options?: { cause?: unknown }) {
    super(`No such node: ${ref}`, options);
  }
}

/**
 * A container name is already used somewhere in the cluster, or by an in-flight create (409, Swarm's wording,
 * docs/behaviour/create.md#name-check).
 */
export class NameConflictError extends ConflictError {
  override readonly code: string = 'NAME_CONFLICT';
  /** The conflicting name without leading `/`. */
  readonly containerName: string;
  /** ID of the container holding the name (empty for an in-flight create). */
  readonly holderId: string;
  constructor(name: string, holderId: string) {
    super(
      `Conflict: The name ${name} is already assigned. You have to delete (or rename) that container to be able to assign ${name} to a container again.`,
    );
    this.containerName = name;
    this.holderId = holderId;
  }
}

/** The scheduler found no node for a request (500). `message` is the scheduler's Swarm-style explanation. */
export class NoNodeAvailableError extends ClusterError {
  override readonly code: string = 'NO_NODE_AVAILABLE';
  override readonly httpStatus: number = 500;
  /** Per-node rejections from the scheduler, when it gave any. */
  readonly rejections: readonly { readonly node: string; readonly filter: string; readonly reason: string }[];
  constructor(message: string, rejections: NoNodeAvailableError['rejections'] = []) {
    super(message);
    this.rejections = rejections;
  }
}

/** An operation needs a healthy engine but the addressed one is not (500, retryable). */
export class UnhealthyNodeError extends ClusterError {
  override readonly code: string = 'UNHEALTHY_NODE';
  override readonly httpStatus: number = 500;
  override readonly retryable: boolean = true;
  constructor(nodeName: string, state: string) {
    super(`Engine ${nodeName} is ${state}`);
  }
}

/** An engine failed validation (not a Docker Engine, bad labels, duplicated ID); it stays pending. */
export class EngineValidationError extends ClusterError {
  override readonly code: string = 'ENGINE_VALIDATION';
  override readonly httpStatus: number = 500;
}

/** A reference matched more than one object where exactly one is needed (409 Engine-style ambiguity). */
export class AmbiguousReferenceError extends ConflictError {
  override readonly code: string = 'AMBIGUOUS_REFERENCE';
}
