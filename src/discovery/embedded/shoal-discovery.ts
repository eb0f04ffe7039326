import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { type Clock, systemClock } from '../../util/clock.js';
import { DiscoveryUnavailableError, InvalidDiscoveryError } from '../errors.js';
import { validateHostPort } from '../ranges.js';
import { sleepUnlessAborted } from '../sleep.js';
import { canonicalEntries, type Discovery, type DiscoveryOptions, sameEntries } from '../types.js';

/** The manager's membership endpoint (see `src/api/routes/discovery.ts`). */
export const MEMBERSHIP_PATH = '/shoal/v1/discovery/nodes';

/**
 * `shoal://MANAGER_HOST:PORT`: direct registration with a manager, no KV store. `register(addr)` POSTs
 * `{"Addr": addr, "TTL": seconds}` to the manager, which expires it after the TTL; `watch()` polls the member
 * list every heartbeat (so `shoal list shoal://...` works too). With `kv.cacertfile`/`kv.certfile`/`kv.keyfile`
 * the manager is reached over HTTPS with that client certificate (a `--tlsverify` manager).
 */
export class ShoalDiscovery implements Discovery {
  readonly scheme = 'shoal';
  readonly baseUrl: string;
  private readonly dispatcher: Agent;

  /** @throws InvalidDiscoveryError on a malformed manager address or partial TLS options. */
  constructor(
    rest: string,
    private readonly opts: DiscoveryOptions,
    private readonly clock: Clock = systemClock,
  ) {
    const addr = rest.replace(/\/+$/, '');
    validateHostPort(addr, 'manager address');
    const o = opts.options ?? {};
    const files = [o['kv.cacertfile'], o['kv.certfile'], o['kv.keyfile']];
    const given = files.filter(Boolean).length;
    if (given > 0 && given < 3) {
      throw new InvalidDiscoveryError(
        'kv.cacertfile, kv.certfile and kv.keyfile must be given together for TLS',
      );
    }
    let connect: { ca: Buffer; cert: Buffer; key: Buffer } | undefined;
    if (given === 3) {
      try {
        const [ca, cert, key] = files.map((f) => readFileSync(f as string));
        connect = { ca: ca as Buffer, cert: cert as Buffer, key: key as Buffer };
      } catch (err) {
        throw new InvalidDiscoveryError(`cannot read TLS files: ${(err as Error).message}`, { cause: err });
      }
    }
    this.baseUrl = `${connect ? 'https' : 'http'}://${addr}`;
    this.dispatcher = new Agent({ connect: connect ?? {}, connectTimeout: 5000 });
  }

  /** Fetches the manager's live member list once. @throws DiscoveryUnavailableError. */
  async list(signal?: AbortSignal): Promise<string[]> {
    const res = await this.call('GET', undefined, signal);
    const body = (await res.body.json()) as unknown;
    if (!Array.isArray(body) || !body.every((x) => typeof x === 'string')) {
      throw new DiscoveryUnavailableError(`unexpected member list from ${this.baseUrl}`);
    }
    return canonicalEntries(body as string[]);
  }

  async *watch(signal: AbortSignal, onError?: (err: Error) => void): AsyncIterable<string[]> {
    let last: string[] | undefined;
    while (!signal.aborted) {
      try {
        const entries = await this.list(signal);
        if (!sameEntries(last, entries)) {
          last = entries;
          yield entries;
        }
      } catch (err) {
        if (signal.aborted) return;
        onError?.(err as Error);
      }
      if (!(await sleepUnlessAborted(this.clock, this.opts.heartbeatMs, signal))) return;
    }
  }

  async register(addr: string): Promise<void> {
    validateHostPort(addr, 'address');
    const res = await this.call('POST', { Addr: addr, TTL: Math.ceil(this.opts.ttlMs / 1000) });
    await res.body.dump();
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private async call(method: 'GET' | 'POST', body?: unknown, signal?: AbortSignal) {
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(`${this.baseUrl}${MEMBERSHIP_PATH}`, {
        method,
        dispatcher: this.dispatcher,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : null,
        signal,
      });
    } catch (err) {
      throw new DiscoveryUnavailableError(`cannot reach manager ${this.baseUrl}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (res.statusCode >= 300) {
      const text = await res.body.text();
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {}
      throw new DiscoveryUnavailableError(
        `manager ${this.baseUrl} answered ${res.statusCode}: ${message.trim()}`,
      );
    }
    return res;
  }
}
