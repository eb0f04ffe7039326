import { describe, expect, it } from 'vitest';
import {
  NameConflictError,
  NoHealthyNodeError,
  NoNodeAvailableError,
  NoSuchContainerError,
  NoSuchImageError,
  NoSuchNetworkError,
  NoSuchVolumeError,
  UnhealthyNodeError,
} from '../cluster/index.js';
import { EngineRequestError, EngineUnreachableError, engineError } from '../engine/index.js';
import {
  FilterNotSupportedError,
  InvalidExpressionError,
  InvalidReschedulePolicyError,
  InvalidSwarmLabelError,
} from '../scheduler/index.js';
import { renderError } from './error-handler.js';
import {
  BodyTooLargeError,
  MalformedJsonError,
  NoPrimaryError,
  NoSuchExecError,
  NoSuchRouteError,
  NotSupportedInClusterError,
  PrimaryUnreachableError,
} from './errors.js';

// Statuses the Docker Engine (or classic Swarm, where it is Swarm's own condition) answers for the same conditions.
const table: [string, unknown, number][] = [
  ['no such container', new NoSuchContainerError('x'), 404],
  ['no such exec', new NoSuchExecError('x'), 404],
  ['no such image', new NoSuchImageError('x'), 404],
  ['no such network', new NoSuchNetworkError('x'), 404],
  ['no such volume', new NoSuchVolumeError('x'), 404],
  ['no route', new NoSuchRouteError(), 404],
  ['name conflict', new NameConflictError('/web', 'abc'), 409],
  ['body too large', new BodyTooLargeError(1024), 413],
  ['node unhealthy', new UnhealthyNodeError('node-1'), 500],
  ['no healthy node', new NoHealthyNodeError(), 500],
  ['no primary', new NoPrimaryError(), 500],
  ['primary unreachable', new PrimaryUnreachableError('Unable to reach primary cluster manager'), 500],
  ['malformed JSON', new MalformedJsonError('bad'), 400],
  ['no node fits', new NoNodeAvailableError('Unable to find a node'), 500],
  ['engine error keeps its status', new EngineRequestError(409, 'is not running'), 409],
  ['engine: no such image on create', engineError(404, 'No such image: x:latest', 'create'), 404],
  ['engine: pull denied', engineError(0, 'pull access denied for x, repository does not exist', 'pull'), 404],
  [
    'engine: conflict',
    engineError(409, 'Conflict. The container name "/x" is already in use', 'create'),
    409,
  ],
  ['engine: bad parameter', engineError(400, 'invalid reference format', 'create'), 400],
  ['engine: internal', engineError(500, 'oci runtime error', 'other'), 500],
  ['bad constraint expression', new InvalidExpressionError('One of operator ==, != is expected'), 400],
  ['bad swarm label JSON', new InvalidSwarmLabelError('invalid label com.docker.swarm.affinities'), 400],
  [
    'bad reschedule policy (Swarm said 500; a client error)',
    new InvalidReschedulePolicyError('invalid reschedule policy: x'),
    400,
  ],
  ['unknown filter', new FilterNotSupportedError('x', ['health']), 400],
  ['engine 304 becomes 500', new EngineRequestError(304, 'odd'), 500],
  ['engine unreachable', new EngineUnreachableError('1.2.3.4:2376', 'refused'), 500],
  ['viz refused', new NotSupportedInClusterError(), 501],
  ['a bug', new TypeError('oops'), 500],
  ['a thrown string', 'weird', 500],
];

describe('renderError', () => {
  it.each(table)('%s → %i', (_name, err, status) => {
    expect(renderError(err).status).toBe(status);
  });

  it('keeps the message', () => {
    expect(renderError(new NoSuchContainerError('web')).message).toBe('No such container: web');
    expect(renderError(new NotSupportedInClusterError()).message).toBe('Not supported in clustering mode.');
  });
});
