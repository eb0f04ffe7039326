export {
  callKind,
  describeNetError,
  type EngineCallObserver,
  EngineClient,
  type EngineClientOptions,
  type EngineRequestOptions,
  type EngineResponse,
  type EngineTlsOptions,
  engineMessage,
  type RawConnectOptions,
  splitAddr,
} from './engine-client.js';
export {
  EngineBadRequestError,
  type EngineCallKind,
  EngineConflictError,
  EngineGoneError,
  EngineImageNotFoundError,
  EngineNotFoundError,
  EngineNotModifiedError,
  EnginePullDeniedError,
  EngineRequestError,
  EngineServerError,
  EngineUnreachableError,
  engineError,
} from './errors.js';
export type { EngineVersion } from './version.js';
