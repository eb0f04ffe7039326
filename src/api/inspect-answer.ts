import type { ApiNode } from './cluster-port.js';

/** The `Node` object Swarm adds to container inspect. */
export function nodeObject(node: ApiNode): Record<string, unknown> {
  return {
    ID: node.id,
    IP: node.ip,
    Addr: node.addr,
    Name: node.name,
    Cpus: node.totalCpus,
    Memory: node.totalMemory,
    Labels: node.labels,
  };
}

/** Replaces unspecified host IPs of published ports in an inspect answer with the node's IP (in place). */
export function withNodeHostIps(body: Record<string, unknown>, ip: string): Record<string, unknown> {
  const ns = body.NetworkSettings as
    | { Ports?: Record<string, { HostIp: string; HostPort: string }[] | null> }
    | undefined;
  if (ns?.Ports) {
    for (const bindings of Object.values(ns.Ports)) {
      for (const b of bindings ?? [])
        if (b.HostIp === '0.0.0.0' || b.HostIp === '' || b.HostIp === '::') b.HostIp = ip;
    }
  }
  return body;
}

/** Appends the `Node` object, as the last member, to the JSON text of an inspect answer (an object). */
export function withNodeObject(json: string, node: ApiNode): string {
  const member = `"Node":${JSON.stringify(nodeObject(node))}}`;
  return json === '{}' ? `{${member}` : `${json.slice(0, -1)},${member}`;
}

/**
 * Whether an inspect answer may be kept and served again while the engine reports no event for its container:
 * not when it shows what changes without an event, a health check's probe log (`State.Health`) or exec instances
 * that are still listed (`ExecIDs`).
 */
export function isStorableInspect(body: Record<string, unknown>): boolean {
  const state = body.State as { Health?: unknown } | null | undefined;
  if (state?.Health != null) return false;
  return !(Array.isArray(body.ExecIDs) && body.ExecIDs.length > 0);
}

/** Whether the query asks for sizes (`size=1`), with the Engine's reading of boolean query values. */
export function wantsSize(query: URLSearchParams): boolean {
  const v = query.get('size');
  return v !== null && !['', '0', 'no', 'false', 'none'].includes(v.trim().toLowerCase());
}
