import { readFile } from 'node:fs/promises';
import { type Clock, systemClock } from '../util/clock.js';
import { DiscoveryUnavailableError, InvalidDiscoveryError, RegisterNotSupportedError } from './errors.js';
import { parseEntryLines } from './ranges.js';
import { sleepUnlessAborted } from './sleep.js';
import { canonicalEntries, type Discovery, sameEntries } from './types.js';

/**
 * `file:///path`: one `host:port` per line, `#` comments, ranges. The file is re-read every heartbeat and a new set
 * is emitted only when it changed. A missing or malformed file is reported through `onError` and retried; the
 * last good set stays in force. Registration is not supported.
 */
export class FileDiscovery implements Discovery {
  readonly scheme = 'file';

  /** @throws InvalidDiscoveryError when the path is empty. */
  constructor(
    readonly path: string,
    private readonly heartbeatMs: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (!path)
      throw new InvalidDiscoveryError('file:// discovery needs a path, e.g. file:///etc/shoal/nodes');
  }

  /** Reads and parses the file once. */
  async read(): Promise<string[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      throw new DiscoveryUnavailableError(`cannot read discovery file ${this.path}`, { cause: err });
    }
    return canonicalEntries(parseEntryLines(text));
  }

  async *watch(signal: AbortSignal, onError?: (err: Error) => void): AsyncIterable<string[]> {
    let last: string[] | undefined;
    while (!signal.aborted) {
      try {
        const entries = await this.read();
        if (!sameEntries(last, entries)) {
          last = entries;
          yield entries;
        }
      } catch (err) {
        onError?.(err as Error);
      }
      if (!(await sleepUnlessAborted(this.clock, this.heartbeatMs, signal))) return;
    }
  }

  async register(): Promise<void> {
    throw new RegisterNotSupportedError(this.scheme);
  }

  async close(): Promise<void> {}
}
