/**
 * The root of shoal's typed error catalogue.
 *
 * Every layer (machine, discovery, cluster, scheduler, api) defines its own `errors.ts` with classes that extend
 * {@link ClusterError}. Each class carries a stable `code` and the HTTP status the Docker Engine would answer with,
 * so the one API error handler can render any of them as `{ "message": ... }` without choosing statuses itself.
 * Foreign errors (HTTP, SSH, KV, child processes) are converted at the boundary with `{ cause }`; transient ones set
 * `retryable` so retry policies decide without parsing messages.
 */
export class ClusterError extends Error {
  /** Stable machine-readable code, e.g. `NO_SUCH_CONTAINER`. */
  readonly code: string = 'INTERNAL';
  /** HTTP status the Docker Engine API would use for this condition. */
  readonly httpStatus: number = 500;
  /** True when the same call may succeed if repeated later (network blips, leader changes). */
  readonly retryable: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Malformed or invalid input from a client or a command line (400). */
export class InvalidArgumentError extends ClusterError {
  override readonly code: string = 'INVALID_ARGUMENT';
  override readonly httpStatus: number = 400;
}

/** A named thing does not exist (404). */
export class NotFoundError extends ClusterError {
  override readonly code: string = 'NOT_FOUND';
  override readonly httpStatus: number = 404;
}

/** A name or state conflict (409). */
export class ConflictError extends ClusterError {
  override readonly code: string = 'CONFLICT';
  override readonly httpStatus: number = 409;
}

/** The operation exists in Docker but shoal (or this driver) refuses it (501 on the API, exit 1 on the CLI). */
export class NotSupportedError extends ClusterError {
  override readonly code: string = 'NOT_SUPPORTED';
  override readonly httpStatus: number = 501;
}

/** A dependency (engine, KV store, primary manager) could not be reached; worth retrying. */
export class UnavailableError extends ClusterError {
  override readonly code: string = 'UNAVAILABLE';
  override readonly httpStatus: number = 503;
  override readonly retryable: boolean = true;
}

/** Returns `err` as an `Error`, wrapping non-Error throwables so callers can rely on `.message`. */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
