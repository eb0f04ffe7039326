/**
 * Remembers which node holds each exec instance created through the manager, so later `/exec/{id}/...` calls go
 * to the right engine (Swarm keeps the same map). Bounded: the oldest entries are dropped past `limit`.
 */
export class ExecLocations {
  private readonly byId = new Map<string, string>();

  constructor(private readonly limit = 10_000) {}

  /** Records that exec `execId` lives on the node at `addr`. */
  remember(execId: string, addr: string): void {
    this.byId.delete(execId);
    this.byId.set(execId, addr);
    if (this.byId.size > this.limit) {
      const oldest = this.byId.keys().next().value;
      if (oldest !== undefined) this.byId.delete(oldest);
    }
  }

  /** The node address of an exec instance, by full ID or unique prefix. */
  lookup(ref: string): string | undefined {
    const exact = this.byId.get(ref);
    if (exact) return exact;
    let found: string | undefined;
    for (const [id, addr] of this.byId) {
      if (id.startsWith(ref)) {
        if (found) return undefined;
        found = addr;
      }
    }
    return found;
  }
}
