import {
  ClusterError,
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
} from '../util/errors.js';

/** A driver's pre-create check failed (root, binaries, flag values); the CLI exits 3 as docker-machine does. */
export class PreCreateCheckError extends ClusterError {
  override readonly code: string = 'PRECREATE_CHECK';
  override readonly httpStatus: number = 400;
}

/** `create` with a name the store already holds ("Host already exists"). */
export class HostExistsError extends ConflictError {
  override readonly code: string = 'HOST_EXISTS';
  constructor(name: string) {
    super(`Host already exists: "${name}"`);
  }
}

/** A machine name that the store does not hold. */
export class HostNotFoundError extends NotFoundError {
  override readonly code: string = 'HOST_NOT_FOUND';
  constructor(readonly machineName: string) {
    super(`Host does not exist: "${machineName}"`);
  }
}

/** A machine name that does not match `^[A-Za-z0-9][A-Za-z0-9.-]*$`. */
export class InvalidHostNameError extends InvalidArgumentError {
  override readonly code: string = 'INVALID_HOST_NAME';
  constructor(name: string) {
    super(
      `Invalid machine name "${name}": names must start with a letter or digit and contain only letters, digits, dots and hyphens`,
    );
  }
}

/** `-d NAME` that no factory in the driver registry has; the message lists the valid names. */
export class UnknownDriverError extends InvalidArgumentError {
  override readonly code: string = 'UNKNOWN_DRIVER';
  constructor(name: string, valid: readonly string[]) {
    super(`Driver "${name}" not found. Valid drivers: ${valid.join(', ')}`);
  }
}

/** A malformed or inconsistent create/command flag (bad mirror URL, bad discovery URL, missing --url, ...). */
export class InvalidFlagError extends InvalidArgumentError {
  override readonly code: string = 'INVALID_FLAG';
}

/** A `config.json` that cannot be read, parsed or migrated. */
export class HostLoadError extends ClusterError {
  override readonly code: string = 'HOST_LOAD';
}

/** Certificates could not be generated, read, or did not validate against the engine. */
export class CertificateError extends ClusterError {
  override readonly code: string = 'CERTIFICATE';
}

/** The engine's TLS endpoint did not answer with the machine's certificates. */
export class EngineCheckError extends ClusterError {
  override readonly code: string = 'ENGINE_CHECK';
  override readonly httpStatus: number = 503;
  override readonly retryable: boolean = true;
}

/** The machine is not in the state the command needs (e.g. `ssh` on a stopped machine). */
export class HostStateError extends ConflictError {
  override readonly code: string = 'HOST_STATE';
}

/** `create` was interrupted (SIGINT/SIGTERM); what it had made was removed. */
export class CreateInterruptedError extends ClusterError {
  override readonly code: string = 'CREATE_INTERRUPTED';
}

/** SSH could not connect or authenticate (retryable: "Waiting for SSH" loops on it). */
export class SshError extends UnavailableError {
  override readonly code: string = 'SSH';
}

/** Provisioning over SSH failed (a command exited non-zero, or dockerd is missing). */
export class ProvisionError extends ClusterError {
  override readonly code: string = 'PROVISION';
}
