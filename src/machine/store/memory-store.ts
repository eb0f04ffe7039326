import { HostNotFoundError } from '../errors.js';
import type { HostRecord } from '../host-record.js';
import type { HostStore } from './host-store.js';

/** An in-memory {@link HostStore} for unit tests; records are deep-copied in and out. */
export class MemoryStore implements HostStore {
  private readonly records = new Map<string, string>();

  constructor(readonly path = '/memory-store') {}

  machineDir(name: string): string {
    return `${this.path}/machines/${name}`;
  }

  async exists(name: string): Promise<boolean> {
    return this.records.has(name);
  }

  async list(): Promise<string[]> {
    return [...this.records.keys()];
  }

  async load(name: string): Promise<HostRecord> {
    const text = this.records.get(name);
    if (text === undefined) throw new HostNotFoundError(name);
    return JSON.parse(text) as HostRecord;
  }

  async save(record: HostRecord): Promise<void> {
    this.records.set(record.Name, JSON.stringify(record));
  }

  async remove(name: string): Promise<void> {
    this.records.delete(name);
  }
}
