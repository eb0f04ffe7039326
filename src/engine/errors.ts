import { ClusterError } from '../util/errors.js';

/**
 * The engine answered, but with an error status. Carries the engine's HTTP status and its `message` text so the
 * API layer can pass both through unchanged (Swarm answers with the engine's own status and wording).
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
