import type { CreateBody, ReschedulePolicy } from '../../scheduler/request.js';
import { SWARM_LABELS } from '../../scheduler/request.js';
import type { ContainerInspect } from '../engine-types.js';

/**
 * The reschedule policy a container carries in `com.docker.swarm.reschedule-policies` (written by the create flow
 * as Swarm wrote it, a JSON array). A missing, unreadable or unknown label counts as `off`: only containers created
 * with a valid policy are ever moved.
 */
export function reschedulePolicyOf(
  labels: Readonly<Record<string, string>> | null | undefined,
): ReschedulePolicy {
  const raw = labels?.[SWARM_LABELS.reschedulePolicies];
  if (!raw) return 'off';
  try {
    const list: unknown = JSON.parse(raw);
    return Array.isArray(list) && list.length === 1 && list[0] === 'on-node-failure'
      ? 'on-node-failure'
      : 'off';
  } catch {
    return 'off';
  }
}

/** The swarm ID label of a container ('' when it has none). */
export function swarmIdOf(labels: Readonly<Record<string, string>> | null | undefined): string {
  return labels?.[SWARM_LABELS.id] ?? '';
}

/** A network the container was attached to besides its `NetworkMode`, re-connected after a reschedule (docs/behaviour/rescheduling.md#networks). */
export interface ExtraNetwork {
  readonly name: string;
  readonly aliases: readonly string[];
}

/** What a reschedule needs to create a container again: its create body and its other networks. */
export interface RecreateSpec {
  readonly config: CreateBody;
  readonly networks: readonly ExtraNetwork[];
}

/**
 * The create body of a container, rebuilt from a full engine inspect: `Config` plus `HostConfig`, the endpoint of
 * its `NetworkMode` network (aliases the user gave and a fixed IP, when one was asked) and every other network to
 * connect afterwards. The hostname and aliases the engine derived from the old container ID are dropped, and
 * `HostConfig.CpuShares` is turned back into Swarm's CPU count (`cpus`), since the create flow converts it again
 * for the node it picks.
 */
export function recreateSpec(info: ContainerInspect, cpus: number): RecreateSpec {
  const shortId = info.Id.slice(0, 12);
  const { Hostname, ...config } = info.Config as ContainerInspect['Config'] & { Hostname?: string };
  const host: Record<string, unknown> = { ...info.HostConfig };
  if (cpus > 0) host.CpuShares = cpus;
  else delete host.CpuShares;
  const mode = String(host.NetworkMode ?? 'default');
  const nets = (info.NetworkSettings?.Networks ?? {}) as Record<
    string,
    { Aliases?: string[] | null; IPAMConfig?: unknown } | null
  >;
  const aliasesOf = (n: string): string[] => (nets[n]?.Aliases ?? []).filter((a) => a !== shortId);
  const body: CreateBody = {
    ...config,
    ...(Hostname && Hostname !== shortId ? { Hostname } : {}),
    HostConfig: host as CreateBody['HostConfig'],
  };
  const primary = nets[mode];
  if (primary) {
    const endpoint: Record<string, unknown> = {};
    const aliases = aliasesOf(mode);
    if (aliases.length > 0) endpoint.Aliases = aliases;
    if (primary.IPAMConfig) endpoint.IPAMConfig = primary.IPAMConfig;
    if (Object.keys(endpoint).length > 0) body.NetworkingConfig = { EndpointsConfig: { [mode]: endpoint } };
  }
  const networks = Object.keys(nets)
    .filter((n) => n !== mode && !(mode === 'default' && n === 'bridge'))
    .map((name) => ({ name, aliases: aliasesOf(name) }));
  return { config: body, networks };
}
