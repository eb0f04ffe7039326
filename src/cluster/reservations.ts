import type { ContainerSnapshot } from '../scheduler/types.js';

/** One in-flight create reserved on a node. {@link release} is idempotent. */
export interface Reservation {
  /** `addr` of the engine the create was placed on. */
  readonly engineAddr: string;
  /** Requested name ('' when none). */
  readonly name: string;
  readonly container: ContainerSnapshot;
  /** Removes the reservation; later calls do nothing. */
  release(): void;
}

/**
 * Pending creates (Swarm's `pendingContainers`): reserved on a node before the engine call so parallel creates
 * see each other's CPU, memory, ports and names; released when the create ends, either way.
 */
export class ReservationBook {
  private readonly entries = new Set<Reservation>();
  private seq = 0;

  /** A fresh placeholder ID for a pending container (`pending-N`). */
  nextPendingId(): string {
    this.seq++;
    return `pending-${this.seq}`;
  }

  /** Records a reservation. */
  reserve(engineAddr: string, name: string, container: ContainerSnapshot): Reservation {
    const entries = this.entries;
    const r: Reservation = {
      engineAddr,
      name,
      container,
      release() {
        entries.delete(r);
      },
    };
    entries.add(r);
    return r;
  }

  /** Pending containers on one engine (for its snapshot). */
  onEngine(engineAddr: string): ContainerSnapshot[] {
    return [...this.entries].filter((r) => r.engineAddr === engineAddr).map((r) => r.container);
  }

  /** True when an in-flight create already claimed `name`. */
  nameReserved(name: string): boolean {
    return name !== '' && [...this.entries].some((r) => r.name === name);
  }

  /** Number of in-flight creates. */
  get size(): number {
    return this.entries.size;
  }
}
