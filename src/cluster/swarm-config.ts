import { randomBytes } from 'node:crypto';
import { ClusterError } from '../errors.js';
import { SWARM_ID_LABEL } from './lookup.js';

/** A `POST /containers/create` body (Engine API), loosely typed; unknown fields pass through. */
export interface CreateBody {
  Image?: string;
  Env?: string[] | null;
  Labels?: Record<string, string> | null;
  HostConfig?: Record<string, unknown> | null;
  NetworkingConfig?: { EndpointsConfig?: Record<string, unknown> | null } | null;
  [key: string]: unknown;
}

/** Labels Swarm stores the scheduling expressions in (moved out of `Env`). */
export const CONSTRAINTS_LABEL = 'com.docker.swarm.constraints';
export const AFFINITIES_LABEL = 'com.docker.swarm.affinities';
export const RESCHEDULE_LABEL = 'com.docker.swarm.reschedule-policies';

/** An invalid `reschedule:` policy (500, as Swarm answers). */
export class ReschedulePolicyError extends ClusterError {
  override readonly code: string = 'INVALID_RESCHEDULE_POLICY';
  override readonly httpStatus: number = 500;
}

const LEGACY_HOST_FIELDS = ['Memory', 'MemorySwap', 'CpuShares', 'Cpuset'] as const;
const VALID_POLICIES = new Set(['off', 'on-node-failure']);

function parseJsonList(raw: string | undefined): string[] {
  if (!raw) return [];
  try {
    const v = JSON.parse(raw) as unknown;
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}

/**
 * Turns a client's create body into the one sent to the engine (§1.12 steps 1–3), without modifying the input:
 * folds old top-level `Memory/MemorySwap/CpuShares/Cpuset` into `HostConfig`; moves `constraint:`, `affinity:` and
 * `reschedule:` entries from `Env` into Swarm's labels; validates reschedule policies ({@link ReschedulePolicyError});
 * sets the swarm ID label when absent; strips `node/` from `NetworkingConfig` endpoint names (and from
 * `HostConfig.NetworkMode`, a shoal addition) when `node` is one of `nodeNames`.
 */
export function toEngineBody(
  body: CreateBody,
  nodeNames: ReadonlySet<string>,
  newSwarmId = randomSwarmId,
): CreateBody {
  const out: CreateBody = { ...body };
  const host: Record<string, unknown> = { ...(body.HostConfig ?? {}) };
  for (const f of LEGACY_HOST_FIELDS) {
    if (
      body[f] !== undefined &&
      body[f] !== 0 &&
      body[f] !== '' &&
      (host[f] === undefined || host[f] === 0 || host[f] === '')
    ) {
      host[f] = body[f];
    }
  }
  // `--net node/net` also names the network in NetworkMode; the engine only knows `net`.
  const mode = typeof host.NetworkMode === 'string' ? host.NetworkMode : '';
  const modeSlash = mode.indexOf('/');
  if (modeSlash > 0 && nodeNames.has(mode.slice(0, modeSlash))) host.NetworkMode = mode.slice(modeSlash + 1);
  out.HostConfig = host;

  const labels: Record<string, string> = { ...(body.Labels ?? {}) };
  const constraints = parseJsonList(labels[CONSTRAINTS_LABEL]);
  const affinities = parseJsonList(labels[AFFINITIES_LABEL]);
  const policies = parseJsonList(labels[RESCHEDULE_LABEL]);
  const env: string[] = [];
  for (const e of body.Env ?? []) {
    if (e.startsWith('constraint:')) constraints.push(e.slice('constraint:'.length));
    else if (e.startsWith('affinity:')) affinities.push(e.slice('affinity:'.length));
    else if (e.startsWith('reschedule:')) policies.push(e.slice('reschedule:'.length));
    else env.push(e);
  }
  for (const p of policies) {
    if (!VALID_POLICIES.has(p)) throw new ReschedulePolicyError(`invalid reschedule policy: ${p}`);
  }
  if (policies.length > 1) throw new ReschedulePolicyError('too many reschedule policies');
  if (constraints.length) labels[CONSTRAINTS_LABEL] = JSON.stringify(constraints);
  if (affinities.length) labels[AFFINITIES_LABEL] = JSON.stringify(affinities);
  if (policies.length) labels[RESCHEDULE_LABEL] = JSON.stringify(policies);
  if (!labels[SWARM_ID_LABEL]) labels[SWARM_ID_LABEL] = newSwarmId();
  out.Labels = labels;
  if (body.Env) out.Env = env;

  const endpoints = body.NetworkingConfig?.EndpointsConfig;
  if (endpoints) {
    const stripped: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(endpoints)) {
      const slash = key.indexOf('/');
      const node = slash > 0 ? key.slice(0, slash) : '';
      stripped[node && nodeNames.has(node) ? key.slice(slash + 1) : key] = value;
    }
    out.NetworkingConfig = { ...body.NetworkingConfig, EndpointsConfig: stripped };
  }
  return out;
}

/** A fresh 64-hex swarm container ID. */
export function randomSwarmId(): string {
  return randomBytes(32).toString('hex');
}
