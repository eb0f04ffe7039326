import { ClusterError, InvalidArgumentError, NotSupportedError, UnavailableError } from '../util/errors.js';

/** A discovery URL names a scheme shoal does not know. The message lists every valid scheme. */
export class UnknownDiscoverySchemeError extends InvalidArgumentError {
  override readonly code: string = 'DISCOVERY_UNKNOWN_SCHEME';
  constructor(
    readonly scheme: string,
    readonly known: readonly string[],
  ) {
    super(
      `unsupported discovery scheme "${scheme}://"; valid schemes: ${known.map((s) => `${s}://`).join(', ')}`,
    );
  }
}

/** A discovery scheme that classic Swarm had but shoal deliberately does not serve (consul, token, zk). */
export class DiscoveryNotAvailableError extends NotSupportedError {
  override readonly code: string = 'DISCOVERY_NOT_AVAILABLE';
}

/** An entry (or a discovery URL, or a flag) that does not parse: not `host:port`, bad range, bad option. */
export class InvalidDiscoveryError extends InvalidArgumentError {
  override readonly code: string = 'DISCOVERY_INVALID';
}

/** The backend cannot register addresses (static `nodes://` and `file://` lists), as in classic Swarm. */
export class RegisterNotSupportedError extends NotSupportedError {
  override readonly code: string = 'DISCOVERY_REGISTER_NOT_SUPPORTED';
  constructor(scheme: string) {
    super(`${scheme}:// discovery does not support registration: not implemented`);
  }
}

/** The discovery store (etcd, a manager's registry, a file) could not be reached or read. Retryable. */
export class DiscoveryUnavailableError extends UnavailableError {
  override readonly code: string = 'DISCOVERY_UNAVAILABLE';
}

/** No entry set arrived in time (`shoal list --timeout`). */
export class DiscoveryTimeoutError extends ClusterError {
  override readonly code: string = 'DISCOVERY_TIMEOUT';
  constructor() {
    super('Timed out');
  }
}
