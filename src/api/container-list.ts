import { InvalidArgumentError } from '../util/errors.js';
import type { ApiContainer, EngineContainerSummary } from './cluster-port.js';
import { compileContainerFilter } from './filters/container-filters.js';
import { type FilterArgs, FilterParseError, parseFilterArgs } from './filters/filter-args.js';

/** Options of a container listing (the query of `GET /containers/json`). */
export interface ListOptions {
  readonly all: boolean;
  readonly limit: number;
  readonly before?: string;
  readonly since?: string;
  /** The `filters` query, parsed. */
  readonly args: FilterArgs;
}

/** Reads the listing options from the query string. */
export function listOptions(query: URLSearchParams): ListOptions {
  const flag = (v: string | null) => v === '1' || v === 'true' || v === 'True';
  const limit = Number(query.get('limit') ?? '-1');
  return {
    all: flag(query.get('all')),
    limit: Number.isFinite(limit) ? limit : -1,
    before: query.get('before') ?? undefined,
    since: query.get('since') ?? undefined,
    args: parseFilterArgs(query.get('filters')),
  };
}

const RUNNING = new Set(['running', 'paused', 'restarting']);

type Port = NonNullable<EngineContainerSummary['Ports']>[number];

/**
 * The ports of a container as the manager shows them: unspecified host IPs (`0.0.0.0`, `::`) become the node's
 * address, so the IPv4 and IPv6 bindings of one published port become one entry, listed once.
 */
export function nodePorts(ports: readonly Port[] | undefined, nodeIp: string): Port[] {
  const out: Port[] = [];
  const seen = new Set<string>();
  for (const p of ports ?? []) {
    const shown = p.IP === '0.0.0.0' || p.IP === '::' || p.IP === '' ? { ...p, IP: nodeIp } : p;
    const key = `${shown.IP ?? ''}|${shown.PrivatePort}|${shown.PublicPort ?? ''}|${shown.Type}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(shown);
  }
  return out;
}

/**
 * An RFC 3339 time with its fraction padded to nine digits (`…T10:00:00.5Z` → `…T10:00:00.500000000`), so two
 * such times compare as strings; undefined for anything else.
 */
function preciseKey(t: string | undefined): string | undefined {
  const m = t === undefined ? null : /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(t);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}` : undefined;
}

/** Orders two engine creation times (negative when `a` is earlier); 0 when either is unknown or not UTC. */
export function comparePrecise(a: string | undefined, b: string | undefined): number {
  return compareKeys(preciseKey(a), preciseKey(b));
}

function compareKeys(ka: string | undefined, kb: string | undefined): number {
  if (ka === undefined || kb === undefined || ka === kb) return 0;
  return ka < kb ? -1 : 1;
}

/**
 * `list` newest first: by creation second, then by the engine's nanosecond creation time, then by ID. Each time is
 * parsed once, not once per comparison (at 30,000 containers that parse was most of a `docker ps`).
 */
export function newestFirst(list: readonly ApiContainer[]): ApiContainer[] {
  const keyed = list.map((c) => ({ c, precise: preciseKey(c.created) }));
  keyed.sort(
    (a, b) =>
      b.c.summary.Created - a.c.summary.Created ||
      compareKeys(b.precise, a.precise) ||
      a.c.id.localeCompare(b.c.id),
  );
  return keyed.map((k) => k.c);
}

/** Finds the container a `before`/`since` ref names: ID prefix, name or `node/name`. */
function findRef(sorted: readonly ApiContainer[], ref: string): ApiContainer | undefined {
  return sorted.find(
    (c) =>
      c.id.startsWith(ref) ||
      c.summary.Names.some((n) => n === `/${ref}` || `/${c.node.name}${n}` === `/${ref}`),
  );
}

/** Extra inputs of a listing that need the nodes' images (the `ancestor` filter). */
export interface ListContext {
  /** Image IDs named by `ancestor` values and their descendants, over all nodes. */
  readonly ancestors?: ReadonlySet<string>;
  /** Takes a known node prefix off a ref (`node-1/net` → node-1, net). */
  readonly splitNode?: (ref: string) => { node?: string; name: string };
}

/**
 * Builds the `docker ps` answer from cached containers (docs/behaviour/lookup.md#docker-ps): names prefixed with the node name, unspecified
 * port IPs replaced by the node IP (each binding listed once), `shoal`/`swarm` image containers and containers of
 * unhealthy nodes hidden unless `all`, status `Host Down` for those, every dockerd 20.10 filter with the engine's
 * checks and texts plus Swarm's `node`, `before`/`since` (query and filter), `limit`, newest first.
 * @throws InvalidArgumentError / FilterParseError as the engine refuses bad filters; a `before`/`since` query ref
 *   that names no container is a 400, a filter ref a 500 (the engine's statuses).
 */
export function listContainers(
  cached: readonly ApiContainer[],
  opts: ListOptions,
  ctx: ListContext = {},
): EngineContainerSummary[] {
  const filter = compileContainerFilter(opts.args, ctx);
  const before = opts.before ?? filter.before;
  const since = opts.since ?? filter.since;
  const all = opts.all || filter.impliesAll || opts.limit > 0 || before !== undefined || since !== undefined;
  /** The answer's entry for `c`, or undefined when the listing leaves it out (its place in the order aside). */
  const entry = (c: ApiContainer): EngineContainerSummary | undefined => {
    const s = c.summary;
    const healthy = c.node.state === 'healthy';
    const imageName = (s.Image ?? '').split(':')[0] ?? '';
    if (!opts.all && (imageName === 'shoal' || imageName === 'swarm')) return undefined;
    if (!all && (!healthy || !RUNNING.has(s.State))) return undefined;
    const prefixed = () => s.Names.map((n) => `/${c.node.name}${n.startsWith('/') ? n : `/${n}`}`);
    let names = filter.usesAliases ? prefixed() : undefined;
    if (
      !filter.test({
        id: c.id,
        nodeName: c.node.name,
        nodeId: c.node.id,
        ...(names ? { aliases: names } : {}),
        summary: s,
      })
    )
      return undefined;
    names ??= prefixed();
    return {
      ...s,
      Names: names,
      Ports: nodePorts(s.Ports, c.node.ip),
      Status: healthy ? s.Status : 'Host Down',
    };
  };
  const limited = (list: EngineContainerSummary[]) => (opts.limit > 0 ? list.slice(0, opts.limit) : list);
  if (before === undefined && since === undefined) {
    // Nothing depends on the others' places: filter first and order only what is left.
    const kept = new Map<ApiContainer, EngineContainerSummary>();
    for (const c of cached) {
      const e = entry(c);
      if (e) kept.set(c, e);
    }
    return limited(newestFirst([...kept.keys()]).map((c) => kept.get(c)!));
  }
  const sorted = newestFirst(cached);
  const beforeC = before ? findRef(sorted, before) : undefined;
  const sinceC = since ? findRef(sorted, since) : undefined;
  if (opts.before && !beforeC) throw new InvalidArgumentError(`No such container: ${opts.before}`);
  if (opts.since && !sinceC) throw new InvalidArgumentError(`No such container: ${opts.since}`);
  if (before && !beforeC) throw new FilterParseError(`no such container ${before}`);
  if (since && !sinceC) throw new FilterParseError(`no such container ${since}`);
  const beforeAt = beforeC ? sorted.indexOf(beforeC) : -1;
  const sinceAt = sinceC ? sorted.indexOf(sinceC) : sorted.length;
  const out: EngineContainerSummary[] = [];
  for (let i = beforeAt + 1; i < sinceAt; i++) {
    const e = entry(sorted[i]!);
    if (!e) continue;
    out.push(e);
    if (opts.limit > 0 && out.length >= opts.limit) break;
  }
  return out;
}
