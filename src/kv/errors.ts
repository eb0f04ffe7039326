import { ClusterError, InvalidArgumentError, UnavailableError } from '../util/errors.js';

/** A KV cluster spec that cannot work (no members, duplicate endpoints, bad name). */
export class KvSpecError extends InvalidArgumentError {
  override readonly code: string = 'KV_SPEC';
}

/** An etcd member did not start or did not become healthy in time; the message carries its log tail. */
export class KvMemberStartError extends ClusterError {
  override readonly code: string = 'KV_MEMBER_START';
}

/** The KV cluster (or a member) cannot be reached. Retryable. */
export class KvUnavailableError extends UnavailableError {
  override readonly code: string = 'KV_UNAVAILABLE';
}
