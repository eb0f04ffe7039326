import type { Clock } from '../util/clock.js';
import type { EngineEvent } from './engine-types.js';

/** How long a stored answer may be served at most, ms, even when no event touched its container. */
export const INSPECT_MAX_AGE_MS = 5_000;
/** Answers kept per engine (the oldest goes first). */
export const INSPECT_MAX_ENTRIES = 32;
/**
 * Time after the event stream opened before answers may be stored, ms. The engine sends the stream's headers
 * just before it subscribes to its events, so a change in between would go unreported; an answer asked for later
 * already shows it.
 */
export const STREAM_SETTLE_MS = 1_000;

interface Entry {
  readonly id: string;
  readonly text: string;
  readonly storedAt: number;
}

/**
 * One engine's recent container inspect answers, served again while the engine's event stream shows nothing
 * happened to the container. The engine reports every change of what inspect shows with an event (state changes,
 * rename, update, exec, network connect and disconnect); answers that change without one (health probe logs,
 * sizes) must not be stored: the API layer decides which answers it puts.
 *
 * Correctness rests on three rules:
 * - an answer is stored only if the event stream was open (and settled) when its request left and nothing was
 *   forgotten since (a {@link ticket} taken before the request, checked by {@link put});
 * - any event about a container forgets it, and a broken or re-opened stream forgets everything;
 * - a change made through the manager forgets the container before the request goes to the engine and again when
 *   its answer arrives, so a client reads its own writes.
 *
 * What remains is the time an event takes to arrive: a change made straight on the engine can be missed for that
 * long, which {@link INSPECT_MAX_AGE_MS} bounds for anything the events do not cover.
 */
export class InspectCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;
  private open = false;
  private openedAt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly maxAgeMs = INSPECT_MAX_AGE_MS,
    private readonly maxEntries = INSPECT_MAX_ENTRIES,
  ) {}

  /** Number of stored answers (expired ones included until they are looked at). */
  get size(): number {
    return this.entries.size;
  }

  /** The stored answer for an engine path (`/v1.41/containers/<id>/json`), when still good. */
  get(path: string): string | undefined {
    const e = this.entries.get(path);
    if (!e) return undefined;
    if (!this.open || this.clock.now() - e.storedAt >= this.maxAgeMs) {
      this.entries.delete(path);
      return undefined;
    }
    return e.text;
  }

  /**
   * Taken before a request whose answer may be stored; -1 when nothing may be (the event stream is down or opened
   * less than {@link STREAM_SETTLE_MS} ago).
   */
  ticket(): number {
    return this.open && this.clock.now() - this.openedAt >= STREAM_SETTLE_MS ? this.generation : -1;
  }

  /**
   * Stores the answer of a request started with `ticket`, unless something was forgotten since (an event or a
   * change arrived while the answer was on its way, so it may predate it).
   */
  put(ticket: number, id: string, path: string, text: string): void {
    if (ticket < 0 || ticket !== this.generation || !this.open) return;
    this.entries.delete(path);
    this.entries.set(path, { id, text, storedAt: this.clock.now() });
    this.evict();
  }

  /** Forgets one container's answers; answers on their way are not stored. */
  forget(id: string): void {
    this.generation++;
    for (const [path, e] of this.entries) if (e.id === id) this.entries.delete(path);
  }

  /** Forgets everything; answers on their way are not stored. */
  forgetAll(): void {
    this.generation++;
    this.entries.clear();
  }

  /** Applies one event of the engine's stream: forgets the container it names, or everything for a daemon event. */
  sawEvent(ev: EngineEvent): void {
    const type = ev.Type ?? 'container';
    if (type === 'container') {
      const id = ev.Actor?.ID ?? ev.id;
      if (id) this.forget(id);
      else this.forgetAll();
    } else if (type === 'network') {
      const container = ev.Actor?.Attributes?.container;
      if (container) this.forget(container);
      else this.generation++;
    } else if (type === 'daemon') {
      this.forgetAll();
    }
    // image, volume, plugin ... events do not change what a container inspect shows
  }

  /** The event stream is open: from now on answers may be stored. */
  streamOpened(): void {
    this.forgetAll();
    this.open = true;
    this.openedAt = this.clock.now();
  }

  /** The event stream broke: events may be missed, so nothing is served or stored until it is open again. */
  streamBroken(): void {
    this.forgetAll();
    this.open = false;
  }

  private evict(): void {
    const now = this.clock.now();
    for (const [path, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && now - e.storedAt < this.maxAgeMs) break;
      this.entries.delete(path);
    }
  }
}
