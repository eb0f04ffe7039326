import type { HostRecord } from '../host-record.js';

/** Persistence of machine records (docker-machine's persist.Store). Names are validated by the caller. */
export interface HostStore {
  /** The storage root (`--storage-path`). */
  readonly path: string;
  /** `<root>/machines/<name>`. */
  machineDir(name: string): string;
  exists(name: string): Promise<boolean>;
  /** Names of every stored machine (including ones whose record cannot be loaded), unsorted. */
  list(): Promise<string[]>;
  /** Loads and migrates a record; throws `HostNotFoundError` or `HostLoadError`. */
  load(name: string): Promise<HostRecord>;
  /** Writes the record atomically (creates the machine directory 0700 when missing). */
  save(record: HostRecord): Promise<void>;
  /** Removes the machine directory and everything in it. Missing = success. */
  remove(name: string): Promise<void>;
}
