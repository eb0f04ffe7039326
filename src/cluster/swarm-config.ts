import type { CreateBody } from '../scheduler/request.js';

/**
 * Strips `node/` from network names in a create body when `node` is one of `nodeNames` (asked only for names with a
 * slash)
 * (docs/behaviour/create.md#steps, step 3): `NetworkingConfig.EndpointsConfig` keys and, as a shoal addition,
 * `HostConfig.NetworkMode` (`--net node/net` sets both; the engine only knows `net`). Returns a copy; the
 * input is not modified.
 */
export function stripNodePrefixes(body: CreateBody, nodeNames: { has(name: string): boolean }): CreateBody {
  const strip = (name: string): string => {
    const slash = name.indexOf('/');
    return slash > 0 && nodeNames.has(name.slice(0, slash)) ? name.slice(slash + 1) : name;
  };
  const out: CreateBody = { ...body };
  const mode = body.HostConfig?.NetworkMode;
  if (typeof mode === 'string' && strip(mode) !== mode)
    out.HostConfig = { ...body.HostConfig, NetworkMode: strip(mode) };
  const networking = body.NetworkingConfig as
    | { EndpointsConfig?: Record<string, unknown> | null }
    | null
    | undefined;
  const endpoints = networking?.EndpointsConfig;
  if (endpoints) {
    const stripped: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(endpoints)) stripped[strip(key)] = value;
    out.NetworkingConfig = { ...networking, EndpointsConfig: stripped };
  }
  return out;
}

/** CPU count → real CPU shares for an engine with `engineCpus` CPUs: `ceil(cpus*1024/engineCpus)` (0 stays 0). */
export function cpusToShares(cpus: number, engineCpus: number): number {
  if (cpus <= 0 || engineCpus <= 0) return 0;
  return Math.ceil((cpus * 1024) / engineCpus);
}

/** Real CPU shares read from an engine → CPU count, with Swarm's integer arithmetic: `trunc(shares*engineCpus/1024)`. */
export function sharesToCpus(shares: number, engineCpus: number): number {
  if (shares <= 0 || engineCpus <= 0) return 0;
  return Math.trunc((shares * engineCpus) / 1024);
}

/**
 * The create body sent to one engine: a copy of the built body (`buildPlacementRequest`) with
 * `HostConfig.CpuShares` converted from a CPU count (Swarm's convention) to real shares for that engine.
 */
export function engineCreateBody(body: CreateBody, engineCpus: number): CreateBody {
  const host = body.HostConfig ?? {};
  if (!host.CpuShares) return body;
  return { ...body, HostConfig: { ...host, CpuShares: cpusToShares(host.CpuShares, engineCpus) } };
}
