import type { EngineClient } from '../engine/engine-client.js';
import type { Clock } from '../util/clock.js';
import { asError } from '../util/errors.js';
import type { EngineEvent } from './engine-types.js';

/** Callbacks of an {@link EngineEventStream}. */
export interface EngineEventSink {
  /** One decoded engine event. */
  event(ev: EngineEvent): void;
  /** The stream ended or failed (the engine may be down); it will be re-opened after `retryMs`. */
  broken(err: Error): void;
  /** The stream is (re)opened. */
  opened(): void;
}

/**
 * Follows one engine's `GET /events` stream, decoding newline-delimited JSON, and re-opens it after `retryMs` when it
 * breaks, until {@link stop}. The connection has no timeout (deps G4).
 */
export class EngineEventStream {
  private readonly stopper = new AbortController();
  private done: Promise<void> | undefined;

  constructor(
    private readonly client: EngineClient,
    private readonly sink: EngineEventSink,
    private readonly clock: Clock,
    private readonly retryMs: number,
  ) {}

  /** Starts following (idempotent). */
  start(): void {
    this.done ??= this.run();
  }

  /** Closes the stream and waits for the loop to end. */
  async stop(): Promise<void> {
    this.stopper.abort();
    await this.done;
  }

  private async run(): Promise<void> {
    const signal = this.stopper.signal;
    while (!signal.aborted) {
      try {
        const body = await this.client.stream('GET', '/events', { signal, own: true });
        this.sink.opened();
        await decodeJsonLines(body, (ev) => this.sink.event(ev as EngineEvent));
        if (!signal.aborted) this.sink.broken(new Error('event stream closed by the engine'));
      } catch (err) {
        if (signal.aborted) return;
        this.sink.broken(asError(err));
      }
      try {
        await this.clock.sleep(this.retryMs, signal);
      } catch {
        return;
      }
    }
  }
}

/** Reads a stream of JSON values separated by newlines (dockerd's framing) and calls `onValue` for each. */
export async function decodeJsonLines(
  body: AsyncIterable<Uint8Array>,
  onValue: (v: unknown) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of body) {
    buf += decoder.decode(chunk, { stream: true });
    buf = drain(buf, onValue);
  }
  buf += decoder.decode();
  drain(`${buf}\n`, onValue);
}

function drain(buf: string, onValue: (v: unknown) => void): string {
  let rest = buf;
  for (;;) {
    const nl = rest.indexOf('\n');
    if (nl < 0) return rest;
    const line = rest.slice(0, nl).trim();
    rest = rest.slice(nl + 1);
    if (!line) continue;
    try {
      onValue(JSON.parse(line));
    } catch {
      // a foreign line; ignore it
    }
  }
}
