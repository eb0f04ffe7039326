import type { CreateBody } from '../scheduler/request.js';

/**
 * Strips `node/` from network names in a create body when `node` is one of `nodeNames`
 * (docs/behaviour/create.md#steps, step 3): `NetworkingConfig.EndpointsConfig` keys and, as a shoal addition,
 * `HostConfig.NetworkMode` (`--net node/net` sets both; the engine only knows `net`). Returns a copy; the
 * input is not modified.
 */
export function stripNodePrefixes(body: CreateBody, nodeNames: ReadonlySet<string>): CreateBody {
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
