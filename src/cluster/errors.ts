import { ClusterError, ConflictError, NotFoundError } from '../util/errors.js';

/**
 * The cluster layer's errors: the resources a request names (containers, images, networks, volumes, nodes), name
 * conflicts and placement failures. The API layer throws these too (it sits above the cluster); each class is
 * defined here only. Messages are the Engine's or classic Swarm's exact wording.
 */

/** No container matches a reference (404, Engine wording "No such container: REF"). */
export class NoSuchContainerError extends NotFoundError {
  override readonly code: string = 'NO_SUCH_CONTAINER';
  constructor(ref: string, options?: { cause?: unknown }) {
    super(`No such container: ${ref}`, options);
  }
}

/** No image matches a reference on any node (404, Engine wording "No such image: REF"). */
export class NoSuchImageError extends NotFoundError {
  override readonly code: string = 'NO_SUCH_IMAGE';
  constructor(ref: string, options?: { cause?: unknown }) {
    super(`No such image: ${ref}`, options);
  }
}

/**
 * No network matches an ID, name or `node/name` (404, Swarm's wording "No such network: REF"; the engine says
 * "network REF not found", and the docker CLI prints "No such network: REF" for both).
 */
export class NoSuchNetworkError extends NotFoundError {
  override readonly code: string = 'NO_SUCH_NETWORK';
  constructor(ref: string, options?: { cause?: unknown }) {
    super(`No such network: ${ref}`, options);
  }
}

/** No volume matches a name or `node/name` (404, Swarm's wording "No such volume: REF"). */
export class NoSuchVolumeError extends NotFoundError {
  override readonly code: string = 'NO_SUCH_VOLUME';
  constructor(ref: string, options?: { cause?: unknown }) {
    super(`No such volume: ${ref}`, options);
  }
}

/**
 * Classic Swarm's wordings for a missing object on the routes where its handler answered itself rather than with
 * the engine's text (404 each, subclasses of the engine-worded errors so callers that test for those still match):
 * `No such container REF` (inspect, start, exec create), `Container REF not found` (container remove),
 * `No such image REF`, `No such network REF`, `No such volume REF` (image, network and volume remove).
 */
export class SwarmNoSuchContainerError extends NoSuchContainerError {
  constructor(ref: string, form: 'lookup' | 'remove' = 'lookup') {
    super(ref);
    this.message = form === 'remove' ? `Container ${ref} not found` : `No such container ${ref}`;
  }
}

/** Swarm's `No such image REF` (404) when no node holds the image a remove names; see {@link SwarmNoSuchContainerError}. */
export class SwarmNoSuchImageError extends NoSuchImageError {
  constructor(ref: string) {
    super(ref);
    this.message = `No such image ${ref}`;
  }
}

/** Swarm's `No such network REF` (404) for a network remove; see {@link SwarmNoSuchContainerError}. */
export class SwarmNoSuchNetworkError extends NoSuchNetworkError {
  constructor(ref: string) {
    super(ref);
    this.message = `No such network ${ref}`;
  }
}

/** Swarm's `No such volume REF` (404) for a volume remove; see {@link SwarmNoSuchContainerError}. */
export class SwarmNoSuchVolumeError extends NoSuchVolumeError {
  constructor(ref: string) {
    super(ref);
    this.message = `No such volume ${ref}`;
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

/**
 * The node the scheduler chose left the cluster (or stopped being validated) before the work could begin (500,
 * retryable). The message is classic Swarm's for the same race: `error creating container` for a container create,
 * `no node available in the cluster` for the other work that needs one scheduler-chosen node (search, auth, build,
 * network create).
 */
export class ChosenNodeGoneError extends ClusterError {
  override readonly code: string = 'CHOSEN_NODE_GONE';
  override readonly httpStatus: number = 500;
  override readonly retryable: boolean = true;
  /** Address of the node that was chosen. */
  readonly node: string;
  constructor(node: string, work: 'create' | 'other') {
    super(work === 'create' ? 'error creating container' : 'no node available in the cluster');
    this.node = node;
  }
}

/** No healthy node is available for an operation that needs one (500, retryable). */
export class NoHealthyNodeError extends ClusterError {
  override readonly code: string = 'NO_HEALTHY_NODE';
  override readonly httpStatus: number = 500;
  override readonly retryable: boolean = true;
  constructor() {
    super('No healthy node available in the cluster');
  }
}

/** The node holding the addressed object is not healthy, so the request cannot be served (500, retryable). */
export class UnhealthyNodeError extends ClusterError {
  override readonly code: string = 'UNHEALTHY_NODE';
  override readonly httpStatus: number = 500;
  override readonly retryable: boolean = true;
  /** Name (or address) of the unhealthy node. */
  readonly node: string;
  constructor(node: string) {
    super(`Cannot connect to the Docker engine endpoint ${node}: node is not healthy`);
    this.node = node;
  }
}

/** A request addresses a container whose node is not healthy: Swarm's text (500, retryable). */
export class ContainerOnUnhealthyNodeError extends ClusterError {
  override readonly code: string = 'CONTAINER_ON_UNHEALTHY_NODE';
  override readonly httpStatus: number = 500;
  override readonly retryable: boolean = true;
  constructor(container: string, node: string) {
    super(`Container ${container} running on unhealthy node ${node}`);
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

/** A write only the primary may make was refused: this manager does not hold the leader lease (503, retryable). */
export class NotPrimaryError extends ClusterError {
  override readonly code: string = 'NOT_PRIMARY';
  override readonly httpStatus: number = 503;
  override readonly retryable: boolean = true;
  constructor(what: string) {
    super(`${what}: this manager is not the primary (its leader lease is not held)`);
  }
}

/** A node update carried a version that is not the node's current one (Swarm mode's wording). */
export class NodeUpdateOutOfSequenceError extends ConflictError {
  override readonly code: string = 'NODE_UPDATE_OUT_OF_SEQUENCE';
  constructor() {
    super('update out of sequence');
  }
}
