import type { Rng } from '../util/rng.js';
import { InvalidCreateBodyError, InvalidReschedulePolicyError, InvalidSwarmLabelError } from './errors.js';
import { parseExpressions } from './expression.js';
import { SWARM_ID_LABEL } from './lookup.js';
import type { PlacementRequest, PortBinding } from './types.js';

/** Labels where Swarm keeps the expressions of a container (JSON arrays of strings). */
export const SWARM_LABELS = {
  constraints: 'com.docker.swarm.constraints',
  affinities: 'com.docker.swarm.affinities',
  reschedulePolicies: 'com.docker.swarm.reschedule-policies',
  whitelists: 'com.docker.swarm.whitelists',
  id: SWARM_ID_LABEL,
} as const;

/** Reschedule policies Swarm accepts (`off` is the default). */
export type ReschedulePolicy = 'off' | 'on-node-failure';

type Bindings = Record<string, { HostIp?: string; HostPort?: string }[] | null>;

/** The fields of an Engine API create body that placement reads; everything else passes through untouched. */
export interface CreateBody {
  Image?: string;
  Env?: string[] | null;
  Labels?: Record<string, string> | null;
  ExposedPorts?: Record<string, unknown> | null;
  /** Old (API < 1.18) top-level resource fields, folded into `HostConfig`. */
  Memory?: number;
  MemorySwap?: number;
  CpuShares?: number;
  Cpuset?: string;
  HostConfig?: {
    Memory?: number;
    MemorySwap?: number;
    CpuShares?: number;
    CpusetCpus?: string;
    NanoCpus?: number;
    NetworkMode?: string;
    PortBindings?: Bindings | null;
    VolumesFrom?: string[] | null;
    Links?: string[] | null;
    [key: string]: unknown;
  } | null;
  [key: string]: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function check(ok: boolean, field: string, want: string): void {
  if (!ok) throw new InvalidCreateBodyError(`json: cannot unmarshal ${field} into Go value of type ${want}`);
}

const isStrings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isStringMap = (v: unknown) => isObject(v) && Object.values(v).every((x) => typeof x === 'string');
const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

/**
 * Reads a decoded JSON object as a {@link CreateBody}: checks the type of every field placement reads (`Image`,
 * `Env`, `Labels`, resources, `NetworkingConfig` endpoints, `HostConfig` network mode, port bindings, `VolumesFrom`,
 * `Links`; `null` allowed where the Engine allows it) and returns the same object. Every other field passes through unchecked, for the
 * engine to judge. Throws {@link InvalidCreateBodyError} (400).
 */
export function readCreateBody(raw: Record<string, unknown>): CreateBody {
  const opt = (v: unknown, ok: (v: unknown) => boolean) => v === undefined || v === null || ok(v);
  check(raw.Image === undefined || typeof raw.Image === 'string', 'Image', 'string');
  check(opt(raw.Env, isStrings), 'Env', '[]string');
  check(opt(raw.Labels, isStringMap), 'Labels', 'map[string]string');
  check(opt(raw.ExposedPorts, isObject), 'ExposedPorts', 'nat.PortSet');
  for (const k of ['Memory', 'MemorySwap', 'CpuShares'] as const) check(opt(raw[k], isNumber), k, 'int64');
  check(
    opt(raw.Cpuset, (v) => typeof v === 'string'),
    'Cpuset',
    'string',
  );
  const networking = raw.NetworkingConfig;
  check(opt(networking, isObject), 'NetworkingConfig', 'network.NetworkingConfig');
  if (isObject(networking)) {
    check(
      opt(networking.EndpointsConfig, (v) => isObject(v) && Object.values(v).every((e) => opt(e, isObject))),
      'NetworkingConfig.EndpointsConfig',
      'map[string]*network.EndpointSettings',
    );
  }
  const host = raw.HostConfig;
  check(opt(host, isObject), 'HostConfig', 'container.HostConfig');
  if (isObject(host)) {
    for (const k of ['Memory', 'MemorySwap', 'CpuShares', 'NanoCpus'] as const) {
      check(opt(host[k], isNumber), `HostConfig.${k}`, 'int64');
    }
    for (const k of ['CpusetCpus', 'NetworkMode'] as const) {
      check(
        opt(host[k], (v) => typeof v === 'string'),
        `HostConfig.${k}`,
        'string',
      );
    }
    for (const k of ['VolumesFrom', 'Links'] as const)
      check(opt(host[k], isStrings), `HostConfig.${k}`, '[]string');
    const pb = host.PortBindings;
    check(
      opt(
        pb,
        (v) =>
          isObject(v) &&
          Object.values(v).every(
            (list) =>
              list === null ||
              (Array.isArray(list) &&
                list.every(
                  (b) =>
                    isObject(b) &&
                    opt(b.HostIp, (x) => typeof x === 'string') &&
                    opt(b.HostPort, (x) => typeof x === 'string'),
                )),
          ),
      ),
      'HostConfig.PortBindings',
      'nat.PortMap',
    );
  }
  return raw as CreateBody;
}

/** What {@link buildPlacementRequest} returns. */
export interface BuiltRequest {
  /** The scheduler's view of the create. */
  readonly request: PlacementRequest;
  /**
   * The create body to forward (a copy; the input is not modified): swarm env entries removed, old top-level
   * resource fields folded into `HostConfig`, merged expressions and `com.docker.swarm.id` written into `Labels`.
   * `HostConfig.CpuShares` still holds a CPU count: the cluster converts it per engine when it sends the body.
   */
  readonly body: CreateBody;
  /** The swarm ID (also in `request.labels` and `body.Labels`): the given one, or a new random one. */
  readonly swarmId: string;
  readonly reschedulePolicy: ReschedulePolicy;
}

const ENV_KEYS = ['constraint', 'affinity', 'reschedule', 'whitelist'] as const;
type EnvKey = (typeof ENV_KEYS)[number];

/**
 * Drops the backslash of escapes JSON does not have (`\!`, `\~`): the shell's history escape in
 * `--label 'com.docker.swarm.affinities=["container\!=c1"]'`, which Swarm's own docs write, means a plain `!`.
 */
export function lenientJson(raw: string): string {
  return raw.replace(/\\(.)/gs, (all, c: string) => ('"\\/bfnrtu'.includes(c) ? all : c));
}

function labelList(labels: Record<string, string>, key: string): string[] {
  const raw = labels[key];
  if (raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(lenientJson(raw));
  } catch (err) {
    throw new InvalidSwarmLabelError(`invalid label ${key}: expected a JSON array of strings`, {
      cause: err,
    });
  }
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) {
    throw new InvalidSwarmLabelError(`invalid label ${key}: expected a JSON array of strings`);
  }
  return parsed;
}

/** A random 64-hex swarm ID drawn from `rng`. */
export function newSwarmId(rng: Rng): string {
  let s = '';
  for (let i = 0; i < 32; i++)
    s += Math.floor(rng() * 256)
      .toString(16)
      .padStart(2, '0');
  return s;
}

function flattenBindings(pb: Bindings | null | undefined): PortBinding[] {
  const out: PortBinding[] = [];
  for (const [containerPort, list] of Object.entries(pb ?? {})) {
    for (const b of list ?? [])
      out.push({ containerPort, hostIp: b.HostIp ?? '', hostPort: b.HostPort ?? '' });
  }
  return out;
}

/**
 * Builds the placement request for `POST /containers/create` (docs/behaviour/expressions.md#sources,
 * docs/behaviour/create.md#steps 1–2).
 *
 * - Env entries `constraint:E`, `affinity:E`, `reschedule:P`, `whitelist:E` are removed from `Env`; the label lists
 *   `com.docker.swarm.{constraints,affinities,reschedule-policies,whitelists}` come first, env entries after; the
 *   merged lists are written back into those labels (only non-empty ones) and `com.docker.swarm.id` is set to a new
 *   random ID (always a new one, as Swarm did, even when the body carried one), unless `opts.swarmId` gives the
 *   ID to keep (a container re-created on another node keeps its identity).
 * - `CpuShares` is a CPU count (Swarm's convention); when it is 0, `NanoCpus / 1e9` is used instead (shoal
 *   extension for `docker run --cpus`). Old top-level `Memory`, `MemorySwap`, `CpuShares`, `Cpuset` are moved into
 *   `HostConfig` when the latter has no value.
 * - Deliberate deviations: an invalid expression is a 400 {@link InvalidExpressionError} here (Swarm failed later
 *   with the generic "Unable to find a node" text); a swarm label that is not a JSON array of strings is a 400
 *   {@link InvalidSwarmLabelError} (Swarm ignored it).
 *
 * @throws InvalidReschedulePolicyError `invalid reschedule policy: X` / `too many reschedule policies` (400).
 */
export function buildPlacementRequest(
  input: CreateBody,
  name: string | undefined,
  rng: Rng,
  opts: { readonly swarmId?: string | undefined } = {},
): BuiltRequest {
  const body: CreateBody = { ...input };
  const host = { ...(input.HostConfig ?? {}) };
  if (body.Memory !== undefined && !host.Memory) host.Memory = body.Memory;
  if (body.MemorySwap !== undefined && !host.MemorySwap) host.MemorySwap = body.MemorySwap;
  if (body.CpuShares !== undefined && !host.CpuShares) host.CpuShares = body.CpuShares;
  if (body.Cpuset !== undefined && !host.CpusetCpus) host.CpusetCpus = body.Cpuset;
  delete body.Memory;
  delete body.MemorySwap;
  delete body.CpuShares;
  delete body.Cpuset;
  body.HostConfig = host;

  const labels: Record<string, string> = { ...(input.Labels ?? {}) };
  const lists: Record<EnvKey, string[]> = {
    constraint: labelList(labels, SWARM_LABELS.constraints),
    affinity: labelList(labels, SWARM_LABELS.affinities),
    reschedule: labelList(labels, SWARM_LABELS.reschedulePolicies),
    whitelist: labelList(labels, SWARM_LABELS.whitelists),
  };
  const env: string[] = [];
  for (const e of input.Env ?? []) {
    const colon = e.indexOf(':');
    const key = colon < 0 ? '' : e.slice(0, colon);
    if ((ENV_KEYS as readonly string[]).includes(key)) lists[key as EnvKey].push(e.slice(colon + 1));
    else env.push(e);
  }
  if (input.Env != null) body.Env = env;

  const policies = lists.reschedule;
  if (policies.length > 1) throw new InvalidReschedulePolicyError('too many reschedule policies');
  const policy = policies[0] ?? 'off';
  if (policy !== 'off' && policy !== 'on-node-failure') {
    throw new InvalidReschedulePolicyError(`invalid reschedule policy: ${policy}`);
  }

  const constraints = parseExpressions(lists.constraint);
  const affinities = parseExpressions(lists.affinity);
  const whitelists = parseExpressions(lists.whitelist);
  const write = (key: string, list: string[]) => {
    if (list.length > 0) labels[key] = JSON.stringify(list);
  };
  write(SWARM_LABELS.constraints, lists.constraint);
  write(SWARM_LABELS.affinities, lists.affinity);
  write(SWARM_LABELS.reschedulePolicies, lists.reschedule);
  write(SWARM_LABELS.whitelists, lists.whitelist);
  const swarmId = opts.swarmId || newSwarmId(rng);
  labels[SWARM_LABELS.id] = swarmId;
  body.Labels = labels;

  const networkMode = host.NetworkMode || 'default';
  const shares = host.CpuShares ?? 0;
  const request: PlacementRequest = {
    ...(name ? { name: name.startsWith('/') ? name.slice(1) : name } : {}),
    image: input.Image ?? '',
    cpus: shares > 0 ? shares : (host.NanoCpus ?? 0) / 1e9,
    memory: host.Memory ?? 0,
    networkMode,
    portBindings: flattenBindings(host.PortBindings),
    exposedPorts: Object.keys(input.ExposedPorts ?? {}),
    constraints,
    affinities,
    whitelists,
    dependencies: {
      volumesFrom: host.VolumesFrom ?? [],
      links: host.Links ?? [],
      ...(networkMode.startsWith('container:')
        ? { netContainer: networkMode.slice('container:'.length) }
        : {}),
    },
    labels,
  };
  return { request, body, swarmId, reschedulePolicy: policy };
}
