import { InvalidArgumentError } from '../util/errors.js';

/** A `constraint:`, `affinity:` or `whitelist:` expression does not follow `KEY OP VALUE` (400). */
export class InvalidExpressionError extends InvalidArgumentError {
  override readonly code: string = 'INVALID_EXPRESSION';
}

/**
 * A reschedule policy other than `off` / `on-node-failure`, or more than one: a client error, 400 (Swarm answered
 * 500; docs/behaviour/expressions.md#reschedule-policies). Messages: `invalid reschedule policy: X`,
 * `too many reschedule policies`.
 */
export class InvalidReschedulePolicyError extends InvalidArgumentError {
  override readonly code: string = 'INVALID_RESCHEDULE_POLICY';
}

/** A `com.docker.swarm.*` label that must hold a JSON array of strings holds something else (400). */
export class InvalidSwarmLabelError extends InvalidArgumentError {
  override readonly code: string = 'INVALID_SWARM_LABEL';
}

/** A create body field placement reads has the wrong JSON type (400, worded like the Engine's decoder). */
export class InvalidCreateBodyError extends InvalidArgumentError {
  override readonly code: string = 'INVALID_CREATE_BODY';
}

/** `--filter NAME` names no known filter; the message lists the valid names. */
export class FilterNotSupportedError extends InvalidArgumentError {
  override readonly code: string = 'FILTER_NOT_SUPPORTED';
  constructor(name: string, valid: readonly string[]) {
    super(`filter not supported: ${name} (valid: ${valid.join(', ')})`);
  }
}

/** `--strategy NAME` names no known strategy; the message lists the valid names. */
export class StrategyNotSupportedError extends InvalidArgumentError {
  override readonly code: string = 'STRATEGY_NOT_SUPPORTED';
  constructor(name: string, valid: readonly string[]) {
    super(`strategy not supported: ${name} (valid: ${valid.join(', ')})`);
  }
}
