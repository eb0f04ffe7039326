export {
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
export { EngineRequestError, EngineUnreachableError } from './errors.js';
