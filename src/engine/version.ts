/** Docker's `GET /version` answer: the fields shoal reads, everything else kept as the engine sent it. */
export interface EngineVersion {
  readonly Version: string;
  readonly ApiVersion: string;
  readonly Os?: string;
  readonly Arch?: string;
  readonly [key: string]: unknown;
}
