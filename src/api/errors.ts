import {
  ClusterError,
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  NotSupportedError,
} from '../errors.js';

/** No route matches the method and path (Swarm's router answers 404 for everything it does not implement). */
export class NoSuchRouteError extends NotFoundError {
  override readonly code: string = 'NO_SUCH_ROUTE';
  constructor() {
    super('page not found');
  }
}

/** An Engine endpoint shoal refuses in clustering mode (`GET /images/viz`). */
export class NotSupportedInClusterError extends NotSupportedError {
  override readonly code: string = 'NOT_SUPPORTED_IN_CLUSTER';
  constructor() {
    super('Not supported in clustering mode.');
  }
}

/** A request body that is not valid JSON (the Engine answers 400). */
export class MalformedJsonError extends InvalidArgumentError {
  override readonly code: string = 'MALFORMED_JSON';
}

/** No container matches an ID, ID prefix, name or `node/name`. */
export class NoSuchContainerError extends NotFoundError {
  override readonly code: string = 'NO_SUCH_CONTAINER';
  constructor(ref: string) {
    super(`No such container: ${ref}`);
  }
}

/** No exec instance with this ID is known on any node. */
export class NoSuchExecError extends NotFoundError {
  override readonly code: string = 'NO_SUCH_EXEC';
  constructor(ref: string) {
    super(`No such exec instance: ${ref}`);
  }
}

/** No image matches on any node. */
export class NoSuchImageError extends NotFoundError {
  override readonly code: string = 'NO_SUCH_IMAGE';
  constructor(ref: string) {
    super(`No such image: ${ref}`);
  }
}

/** No network matches an ID, name or `node/name`. */
export class NoSuchNetworkError extends NotFoundError {
  override readonly code: string = 'NO_SUCH_NETWORK';
  constructor(ref: string) {
    super(`network ${ref} not found`);
  }
}

/** No volume matches a name or `node/name`. */
export class NoSuchVolumeError extends NotFoundError {
  override readonly code: string = 'NO_SUCH_VOLUME';
  constructor(ref: string) {
    super(`No such volume: ${ref}`);
  }
}

/** No node with this name or ID. */
export class NoSuchNodeError extends NotFoundError {
  override readonly code: string = 'NO_SUCH_NODE';
  constructor(ref: string) {
    super(`No such node: ${ref}`);
  }
}

/** A container name is already used somewhere in the cluster (409, as the Engine words it). */
export class ContainerNameConflictError extends ConflictError {
  override readonly code: string = 'NAME_CONFLICT';
  constructor(name: string, holderId: string) {
    super(
      `Conflict: The name ${name} is already assigned. You have to delete (or rename) that container to be able to assign ${name} to a container again.`,
    );
    void holderId;
  }
}

/** The node holding a container is not healthy, so the request cannot be served (Swarm answers 500). */
export class NodeUnhealthyError extends ClusterError {
  override readonly code: string = 'NODE_UNHEALTHY';
  constructor(node: string) {
    super(`Cannot connect to the Docker engine endpoint ${node}: node is not healthy`);
  }
}

/** No healthy node is available for an operation that needs one. */
export class NoHealthyNodeError extends ClusterError {
  override readonly code: string = 'NO_HEALTHY_NODE';
  constructor() {
    super('No healthy node available in the cluster');
  }
}
