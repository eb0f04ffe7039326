import { InvalidArgumentError } from '../../util/errors.js';
import {
  exactMatch,
  type FilterArgs,
  FilterParseError,
  goList,
  matcher,
  matchLabels,
} from './filter-args.js';

/** Filter keys of `GET /containers/json`: the engine's (dockerd 20.10) plus Swarm's `node`. */
export const CONTAINER_FILTER_KEYS: ReadonlySet<string> = new Set([
  'ancestor',
  'before',
  'exited',
  'health',
  'id',
  'isolation',
  'is-task',
  'label',
  'name',
  'network',
  'publish',
  'expose',
  'since',
  'status',
  'volume',
  'node',
]);

const STATES = new Set(['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead']);
const HEALTH = new Set(['starting', 'healthy', 'unhealthy', 'none']);

/** The container fields the filters read: an engine summary plus where it lives. */
export interface FilterableContainer {
  readonly id: string;
  readonly nodeName: string;
  readonly nodeId: string;
  /** More names the `name` key matches (Swarm's `/node/name`). */
  readonly aliases?: readonly string[];
  readonly summary: {
    readonly Names: readonly string[];
    readonly ImageID?: string;
    readonly State: string;
    readonly Status: string;
    readonly Labels: Readonly<Record<string, string>> | null;
    readonly Ports?: readonly { PrivatePort: number; PublicPort?: number; Type: string }[];
    readonly Mounts?: readonly { Name?: string; Source?: string; Destination?: string }[];
    readonly NetworkSettings?: {
      readonly Networks?: Readonly<Record<string, { readonly NetworkID?: string } | null>> | null;
    };
  };
}

/** A compiled container filter: `test` decides one container; the engine's checks ran at compile time. */
export interface ContainerFilter {
  /** Whether the filters imply `all=1` (a `status` filter does, as on the engine). */
  readonly impliesAll: boolean;
  /** Refs of the `before` / `since` keys, resolved by the caller against the listing. */
  readonly before: string | undefined;
  readonly since: string | undefined;
  /** Whether `test` reads the container's `aliases` (a `name` filter): a listing builds them only then. */
  readonly usesAliases: boolean;
  test(c: FilterableContainer): boolean;
}

/** Ports of a `publish`/`expose` value: `80`, `80/udp`, `8000-8100/tcp`, as `port/proto` strings. */
function portSet(key: string, value: string, into: Set<string>): void {
  if (value.includes(':')) throw new FilterParseError(`filter for '${key}' should not contain ':': ${value}`);
  const slash = value.indexOf('/');
  const proto = slash >= 0 ? value.slice(slash + 1) || 'tcp' : 'tcp';
  const range = slash >= 0 ? value.slice(0, slash) : value;
  const parts = range.split('-');
  const nums = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  const bad = parts.find((_p, i) => !Number.isInteger(nums[i]) || (nums[i] as number) > 65535);
  if (parts.length > 2 || bad !== undefined) {
    throw new FilterParseError(
      `error while looking up for ${key} ${value}: strconv.ParseUint: parsing "${bad ?? range}": invalid syntax`,
    );
  }
  const start = nums[0] as number;
  const end = (nums[1] ?? start) as number;
  if (end < start) {
    throw new FilterParseError(`error while looking up for ${key} ${value}: invalid range specified`);
  }
  for (let p = start; p <= end; p++) into.add(`${p}/${proto}`);
}

/** The health state in a summary's Status text (`Up 5 seconds (healthy)`), `none` without a health check. */
export function healthOf(status: string): string {
  if (status.includes('(healthy)')) return 'healthy';
  if (status.includes('(unhealthy)')) return 'unhealthy';
  if (status.includes('(health: starting)')) return 'starting';
  return 'none';
}

function exitCodeOf(status: string): number | undefined {
  const m = /^Exited \((-?\d+)\)/.exec(status);
  return m ? Number(m[1]) : undefined;
}

/**
 * Checks `filters` as dockerd 20.10 does and compiles them. `ancestors` are the image IDs the `ancestor` values name
 * and their descendants (resolved by the caller, since that needs the nodes' images); `networks` resolves a
 * `node/network` value to the node name and the bare network ref.
 * @throws InvalidArgumentError (400) for unknown keys, a bad `status`, `health` or `is-task` value, with the engine's
 *   text; FilterParseError (500) for a bad `exited`, `publish` or `expose` value, as the engine answers.
 */
export function compileContainerFilter(
  filters: FilterArgs,
  opts: {
    ancestors?: ReadonlySet<string>;
    splitNode?: (ref: string) => { node?: string; name: string };
  } = {},
): ContainerFilter {
  for (const k of filters.keys()) {
    if (!CONTAINER_FILTER_KEYS.has(k)) throw new InvalidArgumentError(`Invalid filter '${k}'`);
  }
  const get = (k: string) => filters.get(k) ?? [];
  const exited = get('exited').map((v) => {
    if (!/^[+-]?\d+$/.test(v)) throw new FilterParseError(`strconv.Atoi: parsing "${v}": invalid syntax`);
    return Number(v);
  });
  for (const v of get('status')) {
    if (!STATES.has(v)) throw new InvalidArgumentError(`Invalid filter 'status=${v}'`);
  }
  let isTask: boolean | undefined;
  if (filters.has('is-task')) {
    const v = get('is-task');
    if (v.length === 1 && v[0] === 'true') isTask = true;
    else if (v.length === 1 && v[0] === 'false') isTask = false;
    else throw new InvalidArgumentError(`Invalid filter 'is-task=${goList(v)}'`);
  }
  for (const v of get('health')) {
    if (!HEALTH.has(v)) throw new InvalidArgumentError(`Unrecognised filter value for health: ${v}`);
  }
  const publish = new Set<string>();
  for (const v of get('publish')) portSet('publish', v, publish);
  const expose = new Set<string>();
  for (const v of get('expose')) portSet('expose', v, expose);
  const networks = get('network').map((v) => opts.splitNode?.(v) ?? { name: v });
  const nodes = get('node');
  const ancestors = filters.has('ancestor') ? (opts.ancestors ?? new Set<string>()) : undefined;

  const nameMatches = matcher(filters, 'name');
  const idMatches = matcher(filters, 'id');
  const test = (c: FilterableContainer): boolean => {
    const s = c.summary;
    if (nodes.length > 0 && !nodes.some((n) => n === c.nodeName || n === c.nodeId)) return false;
    if (!idMatches(c.id)) return false;
    if (filters.has('name')) {
      const names = [s.Names[0] ?? '', ...(c.aliases ?? [])];
      if (!names.some((n) => nameMatches(n) || nameMatches(n.slice(1)))) return false;
    }
    if (!matchLabels(filters, 'label', s.Labels)) return false;
    if (!exactMatch(filters, 'status', s.State)) return false;
    // `isolation` is accepted and matches everything: Linux engines have one isolation (dockerd 20.10 checked)
    if (
      filters.has('health') &&
      !exactMatch(filters, 'health', s.State === 'running' ? healthOf(s.Status) : 'none')
    )
      return false;
    if (isTask !== undefined && isTask !== Object.hasOwn(s.Labels ?? {}, 'com.docker.swarm.task.id'))
      return false;
    if (exited.length > 0) {
      const code = exitCodeOf(s.Status);
      if (code === undefined || !exited.includes(code)) return false;
    }
    if (ancestors && !ancestors.has(s.ImageID ?? '')) return false;
    if (filters.has('volume')) {
      const mounts = s.Mounts ?? [];
      const hit = get('volume').some((v) =>
        mounts.some((m) => m.Destination === v || (m.Name ? m.Name === v : m.Source === v)),
      );
      if (!hit) return false;
    }
    if (networks.length > 0) {
      const nets = s.NetworkSettings?.Networks ?? {};
      const hit = networks.some(({ node, name: ref }) => {
        if (node !== undefined && node !== c.nodeName) return false;
        if (Object.hasOwn(nets, ref)) return true;
        return Object.values(nets).some((n) => n?.NetworkID?.startsWith(ref));
      });
      if (!hit) return false;
    }
    if (publish.size > 0) {
      const hit = (s.Ports ?? []).some(
        (p) => p.PublicPort !== undefined && publish.has(`${p.PublicPort}/${p.Type}`),
      );
      if (!hit) return false;
    }
    if (expose.size > 0 && !(s.Ports ?? []).some((p) => expose.has(`${p.PrivatePort}/${p.Type}`)))
      return false;
    return true;
  };
  return {
    usesAliases: filters.has('name'),
    impliesAll: filters.has('status'),
    before: get('before')[0],
    since: get('since')[0],
    test,
  };
}
