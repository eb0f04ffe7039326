import { describe, expect, it } from 'vitest';
import { callKind } from './engine-client.js';
import {
  EngineBadRequestError,
  type EngineCallKind,
  EngineConflictError,
  EngineImageNotFoundError,
  EngineNotFoundError,
  EngineNotModifiedError,
  EnginePullDeniedError,
  EngineRequestError,
  EngineServerError,
  engineError,
} from './errors.js';

// Engine answers as dockerd 20.10 and 28 give them, and the class each one becomes.
const table: [
  string,
  number,
  string,
  EngineCallKind,
  abstract new (...a: never[]) => EngineRequestError,
  number,
][] = [
  [
    'create, image missing (28)',
    404,
    'No such image: busybox:latest',
    'create',
    EngineImageNotFoundError,
    404,
  ],
  ['create, network missing', 404, 'network nowhere not found', 'create', EngineNotFoundError, 404],
  ['image inspect, missing', 404, 'No such image: nowhere:latest', 'image', EngineImageNotFoundError, 404],
  ['container inspect, missing', 404, 'No such container: x', 'other', EngineNotFoundError, 404],
  [
    'pull from Docker Hub, no such repository',
    404,
    "pull access denied for nowhere, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
    'pull',
    EnginePullDeniedError,
    404,
  ],
  [
    'pull in-stream, access denied',
    0,
    "pull access denied for nowhere, repository does not exist or may require 'docker login'",
    'pull',
    EnginePullDeniedError,
    404,
  ],
  [
    'pull, unknown tag',
    404,
    'manifest for busybox:nope not found: manifest unknown: manifest unknown',
    'pull',
    EnginePullDeniedError,
    404,
  ],
  [
    'pull, registry unreachable',
    500,
    'Get "https://10.233.0.1:1/v2/": dial tcp 10.233.0.1:1: connect: connection refused',
    'pull',
    EngineServerError,
    500,
  ],
  ['start, already started', 304, '', 'other', EngineNotModifiedError, 500],
  ['bad parameter', 400, 'invalid reference format', 'create', EngineBadRequestError, 400],
  [
    'name in use',
    409,
    'Conflict. The container name "/web" is already in use by container "abc".',
    'create',
    EngineConflictError,
    409,
  ],
  ['kill of a stopped container', 409, 'Container abc is not running', 'other', EngineConflictError, 409],
  ['engine failure', 500, 'driver failed programming external connectivity', 'other', EngineServerError, 500],
  ['unavailable', 503, 'ready: false', 'other', EngineServerError, 503],
  ['other 4xx', 403, 'forbidden', 'other', EngineRequestError, 403],
];

describe('engineError', () => {
  it.each(table)('%s', (_name, status, message, kind, cls, httpStatus) => {
    const err = engineError(status, message, kind);
    expect(err).toBeInstanceOf(cls);
    expect(err).toBeInstanceOf(EngineRequestError);
    expect(err.message).toBe(message);
    expect(err.httpStatus).toBe(httpStatus);
  });

  it('keeps the cause', () => {
    const cause = new Error('root');
    expect(engineError(404, 'No such image: x', 'create', { cause }).cause).toBe(cause);
  });
});

describe('callKind', () => {
  it.each([
    ['POST', '/containers/create', 'create'],
    ['POST', '/v1.41/containers/create?name=web', 'create'],
    ['POST', '/images/create?fromImage=busybox', 'pull'],
    ['GET', '/v1.24/images/busybox/json', 'image'],
    ['GET', '/containers/web/json', 'other'],
    ['POST', '/containers/web/start', 'other'],
  ] as const)('%s %s → %s', (method, path, kind) => {
    expect(callKind(method, path)).toBe(kind);
  });
});
