import type {
  ContainerSnapshot,
  Filter,
  NodeSnapshot,
  PlacementRequest,
  PortBinding,
  Verdict,
} from '../types.js';

const PASS: Verdict = { ok: true };

/** Empty, `0.0.0.0` and `::` bind every interface (`::` as Swarm's HEAD does). */
export function bindsAllInterfaces(hostIp: string): boolean {
  return hostIp === '' || hostIp === '0.0.0.0' || hostIp === '::';
}

/** True when `held` and `wanted` would fight for the same host socket (same host port, overlapping IPs). */
function collides(wanted: PortBinding, held: PortBinding): boolean {
  // Bindings without a host port (`-p 80`, `-P`) are dynamic: they hold nothing until published.
  if (held.hostPort === '' || held.hostPort !== wanted.hostPort) return false;
  // Kept quirk: the protocol is not compared, so tcp 53 and udp 53 collide (Swarm compares host ports only).
  return (
    held.hostIp === wanted.hostIp || bindsAllInterfaces(wanted.hostIp) || bindsAllInterfaces(held.hostIp)
  );
}

function label(c: ContainerSnapshot): string {
  return c.names[0] ?? c.id.slice(0, 12);
}

/** Host ports held on one node: host port → bindings (with their container) that hold it. */
interface PortIndex {
  readonly byHostPort: ReadonlyMap<string, readonly { binding: PortBinding; container: ContainerSnapshot }[]>;
  /** Exposed port key → a host-network container exposing it. */
  readonly hostNet: ReadonlyMap<string, ContainerSnapshot>;
}

function indexOf(node: NodeSnapshot): PortIndex {
  const byHostPort = new Map<string, { binding: PortBinding; container: ContainerSnapshot }[]>();
  const hostNet = new Map<string, ContainerSnapshot>();
  const add = (binding: PortBinding, container: ContainerSnapshot) => {
    // Bindings without a host port (`-p 80`, `-P`) are dynamic: they hold nothing until published.
    if (binding.hostPort === '') return;
    const list = byHostPort.get(binding.hostPort);
    if (list) list.push({ binding, container });
    else byHostPort.set(binding.hostPort, [{ binding, container }]);
  };
  for (const c of node.containers) {
    // Requested bindings cover stopped and pending containers; published ports cover dynamic `-p 80` ones.
    for (const b of c.requestedPorts) add(b, c);
    for (const b of c.publishedPorts) add(b, c);
    if (c.networkMode === 'host')
      for (const key of c.exposedPorts) if (!hostNet.has(key)) hostNet.set(key, c);
  }
  return { byHostPort, hostNet };
}

/**
 * `port` (never soft).
 *
 * Bridge mode (network mode other than `host`): for each requested binding with a host port, a node is rejected when
 * any of its containers (any state, pending ones through their requested bindings) holds the same host port on the
 * same IP, or when either side binds all interfaces. Requests without host ports impose nothing.
 *
 * Host mode: for each exposed port key of the request, a node is rejected when another host-network container on it
 * exposes the same key.
 *
 * Each immutable node snapshot is indexed once (per-instance `WeakMap` memo).
 */
export class PortFilter implements Filter {
  readonly name = 'port';
  readonly #memo = new WeakMap<NodeSnapshot, PortIndex>();

  needed(req: PlacementRequest): boolean {
    if (req.networkMode === 'host') return req.exposedPorts.length > 0;
    return req.portBindings.some((b) => b.hostPort !== '');
  }

  check(req: PlacementRequest, node: NodeSnapshot): Verdict {
    if (!this.needed(req)) return PASS;
    let index = this.#memo.get(node);
    if (!index) {
      index = indexOf(node);
      this.#memo.set(node, index);
    }
    if (req.networkMode === 'host') {
      for (const key of req.exposedPorts) {
        const c = index.hostNet.get(key);
        if (c) return { ok: false, reason: `port ${key} used by host-network container ${label(c)}` };
      }
      return PASS;
    }
    for (const wanted of req.portBindings) {
      if (wanted.hostPort === '') continue;
      for (const { binding: b, container: c } of index.byHostPort.get(wanted.hostPort) ?? []) {
        if (collides(wanted, b)) {
          const ip = b.hostIp === '' ? '0.0.0.0' : b.hostIp;
          return {
            ok: false,
            reason: `port ${wanted.hostPort} taken by container ${label(c)} (${c.state}, ${ip}:${b.hostPort})`,
          };
        }
      }
    }
    return PASS;
  }

  describe(req: PlacementRequest): string {
    if (req.networkMode === 'host') return req.exposedPorts.map((p) => `port ${p} (Host mode)`).join(' ');
    return req.portBindings
      .filter((b) => b.hostPort !== '')
      .map((b) => `port ${b.hostPort} (Bridge mode)`)
      .join(' ');
  }
}
