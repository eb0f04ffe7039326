import {
  ClusterError,
  InvalidArgumentError,
  NotFoundError,
  NotSupportedError,
  UnavailableError,
} from '../util/errors.js';

/**
 * Errors only the API layer raises: routing, request bodies, exec instances and forwarding to the primary. The
 * resource errors the API shares with the cluster (`NoSuchContainerError`, `NameConflictError`...) live in
 * `cluster/errors.ts`; the engine's own answers are `engine/errors.ts`.
 */

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

/** A `/vX.Y` path prefix older than the oldest API version the manager serves (the Engine's text, 400). */
export class ClientVersionTooOldError extends InvalidArgumentError {
  override readonly code: string = 'CLIENT_VERSION_TOO_OLD';
  constructor(version: string, min: string) {
    super(
      `client version ${version} is too old. Minimum supported API version is ${min}, please upgrade your client to a newer version`,
    );
  }
}

/** A request body that is not valid JSON (the Engine answers 400). */
export class MalformedJsonError extends InvalidArgumentError {
  override readonly code: string = 'MALFORMED_JSON';
}

/** A request body above the manager's limit (413, {@link BodyTooLargeError.limit} bytes). */
export class BodyTooLargeError extends ClusterError {
  override readonly code: string = 'BODY_TOO_LARGE';
  override readonly httpStatus: number = 413;
  /** The limit in bytes. */
  readonly limit: number;
  constructor(limit: number) {
    super(`request body is larger than ${limit} bytes`);
    this.limit = limit;
  }
}

/** No exec instance with this ID is known on any node. */
export class NoSuchExecError extends NotFoundError {
  override readonly code: string = 'NO_SUCH_EXEC';
  constructor(ref: string) {
    super(`No such exec instance: ${ref}`);
  }
}

/**
 * The manager keeps no explanation for a container's placement (made by another manager, before a restart, directly
 * on an engine, or dropped as old): 404.
 */
export class NoPlacementRecordedError extends NotFoundError {
  override readonly code: string = 'NO_PLACEMENT_RECORDED';
  constructor(ref: string) {
    super(`no placement recorded for container ${ref}`);
  }
}

/** A replica has no primary to forward to (classic Swarm's exact text, 500). */
export class NoPrimaryError extends ClusterError {
  override readonly code: string = 'NO_PRIMARY';
  override readonly httpStatus: number = 500;
  override readonly retryable: boolean = true;
  constructor() {
    super('No elected primary cluster manager');
  }
}

/** A replica could not reach the primary before anything was sent to it (500, retryable). */
export class PrimaryUnreachableError extends UnavailableError {
  override readonly code: string = 'PRIMARY_UNREACHABLE';
  override readonly httpStatus: number = 500;
}

/** The client did not send its request head, or paused sending its body, for too long (408). */
export class RequestTimeoutError extends ClusterError {
  override readonly code: string = 'REQUEST_TIMEOUT';
  override readonly httpStatus: number = 408;
  constructor() {
    super('request timeout: the client sent its request too slowly');
  }
}

/** The request head is larger than the HTTP parser accepts (431). */
export class HeadersTooLargeError extends ClusterError {
  override readonly code: string = 'HEADERS_TOO_LARGE';
  override readonly httpStatus: number = 431;
  constructor() {
    super('request header fields too large');
  }
}

/** A request that is not valid HTTP/1.1 (bad request line, broken chunked encoding...) (400). */
export class MalformedRequestError extends InvalidArgumentError {
  override readonly code: string = 'MALFORMED_REQUEST';
}

/** A JSON body sent with another `Content-Type` (the Engine's text and status, 400). */
export class UnsupportedContentTypeError extends InvalidArgumentError {
  override readonly code: string = 'UNSUPPORTED_CONTENT_TYPE';
  constructor(contentType: string) {
    super(`Content-Type specified (${contentType}) must be 'application/json'`);
  }
}

/** `docker save` names images no single healthy node holds together (Swarm's 404 text). */
export class NoEngineWithImagesError extends NotFoundError {
  override readonly code: string = 'NO_ENGINE_WITH_IMAGES';
  constructor(names: readonly string[]) {
    super(`Unable to find a healthy engine containing all images: [${names.join(' ')}]`);
  }
}

/**
 * A list filter value classic Swarm refused itself, in its wording (400): a network list's `type` other than
 * `custom` or `builtin` (`Invalid filter: 'type'='foo'`), and an image list's `dangling` other than `true` or
 * `false`, which Swarm words as `Invalid filter: 'type'='dangling'` whatever the value.
 */
export class InvalidFilterTypeError extends InvalidArgumentError {
  override readonly code: string = 'INVALID_FILTER_TYPE';
  constructor(type: string) {
    super(`Invalid filter: 'type'='${type}'`);
  }
}

/** `POST /build/cancel` without an `id` (classic Swarm's 400; dockerd 20.10 says the same with a 500). */
export class BuildIdMissingError extends InvalidArgumentError {
  override readonly code: string = 'BUILD_ID_MISSING';
  constructor() {
    super('build ID not provided');
  }
}

/**
 * `POST /session` without the `X-Docker-Expose-Session-Uuid` header (400, classic Swarm's text; the engine answers
 * `no upgrade proto in request`).
 */
export class SessionIdMissingError extends InvalidArgumentError {
  override readonly code: string = 'SESSION_ID_MISSING';
  constructor() {
    super('no session ID provided');
  }
}

/** `POST /session` that is not an HTTP upgrade (400, the engine's text). */
export class SessionUpgradeMissingError extends InvalidArgumentError {
  override readonly code: string = 'SESSION_UPGRADE_MISSING';
  constructor() {
    super('no upgrade proto in request');
  }
}

/**
 * A `-H` address on Docker's port 2375 is taken (classic Swarm's text, which guesses an engine holds it): the manager
 * cannot start.
 */
export class DockerPortInUseError extends UnavailableError {
  override readonly code: string = 'DOCKER_PORT_IN_USE';
  constructor(addr: string, options?: { cause?: unknown }) {
    super(`${addr}: is Docker already running on this machine? Try using a different port`, options);
  }
}
