import { ClusterError } from '../util/errors.js';

/**
 * The engine layer's errors. Every engine answer with an error status becomes one of these at the engine client's
 * boundary ({@link engineError}), so no caller ever inspects an engine's message text: the classes say what
 * happened, `status` keeps the engine's own status and the message keeps the engine's own wording (Swarm answers
 * with both unchanged).
 */

/**
 * The engine answered, but with an error status. Carries the engine's HTTP status and its `message` text so the
 * API layer can pass both through unchanged.
 */
export class EngineRequestError extends ClusterError {
  override readonly code: string = 'ENGINE_REQUEST';
  override readonly httpStatus: number;
  /** The engine's status code (also the status shoal answers with). */
  readonly status: number;

  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.httpStatus = status >= 400 && status < 600 ? status : 500;
  }
}

/** 400 from the engine: the request was malformed or invalid. */
export class EngineBadRequestError extends EngineRequestError {
  override readonly code: string = 'ENGINE_BAD_REQUEST';
}

/** 404 from the engine: the addressed object (container, network, volume, exec...) does not exist there. */
export class EngineNotFoundError extends EngineRequestError {
  override readonly code: string = 'ENGINE_NOT_FOUND';
}

/**
 * The engine does not hold the image a call needs (`No such image: X` on create, 404 on image inspect). The
 * create flow pulls it, then retries with image affinity (docs/behaviour/create.md#image-retry).
 */
export class EngineImageNotFoundError extends EngineNotFoundError {
  override readonly code: string = 'ENGINE_IMAGE_NOT_FOUND';
}

/**
 * A pull failed because the registry has no such repository or tag, or refuses access to it (`pull access
 * denied … repository does not exist`, `manifest unknown`, `not found`). Like a missing image, it makes the create
 * flow retry with image affinity.
 */
export class EnginePullDeniedError extends EngineRequestError {
  override readonly code: string = 'ENGINE_PULL_DENIED';
}

/** 409 from the engine: a name in use, a container not running, an object in use... */
export class EngineConflictError extends EngineRequestError {
  override readonly code: string = 'ENGINE_CONFLICT';
}

/**
 * 304 from the engine: the container was already in the asked state (start of a running container, stop of a
 * stopped one). Only raised by callers that ask for it; the client's JSON calls treat 304 as success.
 */
export class EngineNotModifiedError extends EngineRequestError {
  override readonly code: string = 'ENGINE_NOT_MODIFIED';
}

/** 5xx from the engine: something failed inside it. */
export class EngineServerError extends EngineRequestError {
  override readonly code: string = 'ENGINE_SERVER';
}

/**
 * The engine could not be reached (connection refused/reset, TLS failure, timeout). Retryable; each one counts as a
 * connection failure for the engine's health (docs/behaviour/nodes.md#failures).
 */
export class EngineUnreachableError extends ClusterError {
  override readonly code: string = 'ENGINE_UNREACHABLE';
  override readonly httpStatus: number = 500;
  override readonly retryable: boolean = true;
  /** `host:port` of the engine. */
  readonly addr: string;

  constructor(addr: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.addr = addr;
  }
}

/**
 * A call on the client of an engine that was closed (the engine left the cluster while a request still held it):
 * classic Swarm's `Engine no longer exists` (500). Not retryable, and not a failure of the engine's health.
 */
export class EngineGoneError extends EngineUnreachableError {
  override readonly code: string = 'ENGINE_GONE';
  override readonly retryable: boolean = false;
  constructor(addr: string) {
    super(addr, 'Engine no longer exists');
  }
}

/** What a failed engine call was doing, for the few answers whose status alone does not say what is missing. */
export type EngineCallKind = 'create' | 'pull' | 'image' | 'other';

// The engine's (and registries') wordings for "this image is not there", as engines 17.x–28.x answer them.
const IMAGE_MISSING = /^No such image|^Error: No such image|^image .* not found/i;
const PULL_DENIED =
  /pull access denied|repository does not exist|manifest unknown|manifest for .* not found|repository .* not found|not found: does not exist|name unknown/i;

/**
 * Turns an engine's error answer into the typed error for it. The one place in shoal that reads an engine's
 * message text: the Engine API reports what is missing only in words (`{"message": ...}`), so this table converts
 * it once, at the boundary, and everything above decides by class.
 *
 * @param status the engine's HTTP status (a pull's in-stream error has none: pass 0 and `kind: 'pull'`)
 * @param message the engine's `message` (or the pull stream's `error`)
 * @param kind what the call was: a container create (a 404 is a missing image or a missing network), a pull, an
 *   image call (a 404 is a missing image), anything else
 */
export function engineError(
  status: number,
  message: string,
  kind: EngineCallKind = 'other',
  options?: { cause?: unknown },
): EngineRequestError {
  if (
    kind === 'pull' &&
    (status === 0 || status === 404 || status === 403 || status === 401 || status >= 500)
  ) {
    if (PULL_DENIED.test(message))
      return new EnginePullDeniedError(status === 0 ? 404 : status, message, options);
    if (status === 404) return new EnginePullDeniedError(404, message, options);
    return new EngineServerError(status === 0 ? 500 : status, message, options);
  }
  switch (true) {
    case status === 304:
      return new EngineNotModifiedError(status, message, options);
    case status === 400:
      return new EngineBadRequestError(status, message, options);
    case status === 404:
      if (kind === 'image' || (kind === 'create' && IMAGE_MISSING.test(message)))
        return new EngineImageNotFoundError(status, message, options);
      return new EngineNotFoundError(status, message, options);
    case status === 409:
      return new EngineConflictError(status, message, options);
    case status >= 500:
      return new EngineServerError(status, message, options);
    default:
      return new EngineRequestError(status, message, options);
  }
}
