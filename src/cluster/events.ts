import type { EngineEvent } from './engine-types.js';

/** Swarm-generated event actions (docs/behaviour/events.md#swarm-events). */
export type SwarmAction = 'engine_connect' | 'engine_disconnect' | 'engine_reconnect';

/** The node fields an event is annotated with. */
export interface EventNode {
  readonly id: string;
  readonly name: string;
  readonly addr: string;
  readonly ip: string;
}

/**
 * An engine or swarm event as the manager's `/events` streams it (node info added,
 * docs/behaviour/events.md#node-information).
 */
export interface AnnotatedEvent extends EngineEvent {
  node: { Name: string; Id: string; Addr: string; Ip: string };
}

/** One event on the cluster bus. */
export interface ClusterEvent<N extends EventNode = EventNode> {
  /** The JSON object to send to `/events` clients. */
  readonly message: AnnotatedEvent;
  /** The engine it came from (or is about, for swarm events). */
  readonly engine: N;
  /** Set for swarm-generated events. */
  readonly swarm?: SwarmAction;
}

/**
 * Adds node information to an engine event (docs/behaviour/events.md#node-information): `from` becomes
 * `"<from> node:<name>"`, `Actor.Attributes` gain `node.name`, `node.id`, `node.addr`, `node.ip`, and a
 * legacy top-level `node` object is appended. The input is not modified.
 */
export function annotateEvent(ev: EngineEvent, node: EventNode): AnnotatedEvent {
  const attrs = {
    ...(ev.Actor?.Attributes ?? {}),
    'node.name': node.name,
    'node.id': node.id,
    'node.addr': node.addr,
    'node.ip': node.ip,
  };
  const out: AnnotatedEvent = {
    ...ev,
    Actor: { ...(ev.Actor ?? {}), Attributes: attrs },
    node: { Name: node.name, Id: node.id, Addr: node.addr, Ip: node.ip },
  };
  if (ev.from !== undefined) out.from = `${ev.from} node:${node.name}`;
  return out;
}

/** Builds a swarm event (`Type: swarm`, `From: swarm`) about a node, already annotated. */
export function swarmEvent(action: SwarmAction, node: EventNode, nowMs: number): AnnotatedEvent {
  return annotateEvent(
    {
      status: action,
      id: node.id,
      from: 'swarm',
      Type: 'swarm',
      Action: action,
      Actor: { ID: node.id, Attributes: {} },
      time: Math.floor(nowMs / 1000),
      timeNano: nowMs * 1_000_000,
    },
    node,
  );
}

/** A listener on the cluster bus. */
export type ClusterEventListener<N extends EventNode = EventNode> = (ev: ClusterEvent<N>) => void;

/**
 * The cluster's event bus: engine events (annotated) and swarm events fan out to every subscriber, synchronously
 * and in order. A throwing listener does not affect the others. {@link stream} adapts it to an async iterable for
 * `/events` handlers (buffered; ends when the signal aborts).
 */
export class ClusterEvents<N extends EventNode = EventNode> {
  private readonly listeners = new Set<ClusterEventListener<N>>();

  /** Number of current subscribers (`NEventsListener` in `/info`). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: ClusterEventListener<N>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Delivers an event to every listener. */
  emit(ev: ClusterEvent<N>): void {
    for (const l of [...this.listeners]) {
      try {
        l(ev);
      } catch {
        // a faulty listener must not break delivery to the others
      }
    }
  }

  /** Events from now on, until `signal` aborts. */
  async *stream(signal: AbortSignal): AsyncGenerator<ClusterEvent<N>> {
    const queue: ClusterEvent<N>[] = [];
    let notify: (() => void) | undefined;
    const unsubscribe = this.subscribe((ev) => {
      queue.push(ev);
      notify?.();
    });
    const onAbort = (): void => notify?.();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!signal.aborted) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => {
          notify = resolve;
        });
        notify = undefined;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      unsubscribe();
    }
  }
}
