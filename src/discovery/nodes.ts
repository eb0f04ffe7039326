import { RegisterNotSupportedError } from './errors.js';
import { parseEntryList } from './ranges.js';
import { canonicalEntries, type Discovery } from './types.js';

/**
 * A fixed list of engines: `nodes://A,B,C` or the bare `A,B,C` (ranges `[A:B]` expanded). The watch emits the list
 * once and then waits for the signal; registration is not supported, as in classic Swarm.
 */
export class NodesDiscovery implements Discovery {
  readonly scheme = 'nodes';
  readonly entries: readonly string[];

  /** @throws InvalidDiscoveryError when the list is empty or an entry is not `host:port`. */
  constructor(list: string) {
    this.entries = canonicalEntries(parseEntryList(list));
  }

  async *watch(signal: AbortSignal): AsyncIterable<string[]> {
    if (signal.aborted) return;
    yield [...this.entries];
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  async register(): Promise<void> {
    throw new RegisterNotSupportedError(this.scheme);
  }

  async close(): Promise<void> {}
}
