import { type ClientTls, engineGet } from '../machine/engine-probe.js';

/** What `shoal up` / `status` read from a manager's `/info`. */
export interface ManagerView {
  readonly role: string;
  /** The primary's address as a replica reports it. */
  readonly primary?: string;
  readonly nodes: number;
  /** Nodes whose status is `Healthy`. */
  readonly healthy: number;
  readonly strategy?: string;
}

/** Reads the Swarm `SystemStatus` pairs of a manager's `/info`. */
export function parseManagerInfo(body: string): ManagerView {
  const info = JSON.parse(body) as { SystemStatus?: [string, string][] | null };
  const pairs = info.SystemStatus ?? [];
  const get = (k: string): string | undefined => pairs.find(([key]) => key === k)?.[1];
  const healthy = pairs.filter(([k, v]) => k.trim() === '└ Status' && v === 'Healthy').length;
  return {
    role: get('Role') ?? 'unknown',
    ...(get('Primary') ? { primary: get('Primary') } : {}),
    nodes: Number(get('Nodes') ?? 0),
    healthy,
    ...(get('Strategy') ? { strategy: get('Strategy') } : {}),
  };
}

/** `GET /info` of the manager at `tcp://ip:port` with the store's client certificate. */
export async function managerView(url: string, tls: ClientTls, timeoutMs = 5000): Promise<ManagerView> {
  return parseManagerInfo(await engineGet(url, '/info', tls, timeoutMs));
}
