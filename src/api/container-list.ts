import { InvalidArgumentError } from '../util/errors.js';
import type { ApiContainer, EngineContainerSummary } from './cluster-port.js';

/** Parsed `filters` of `GET /containers/json`: each key maps to its accepted values. */
export type ListFilters = Readonly<Record<string, readonly string[]>>;

/**
 * Parses the Engine's `filters` query value, in both the current (`{"name":{"web":true}}`) and the legacy
 * (`{"name":["web"]}`) shape.
 * @throws InvalidArgumentError (400) on malformed JSON.
 */
export function parseFilters(text: string | null): ListFilters {
  if (!text) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`invalid filter: ${(err as Error).message}`, { cause: err });
  }
  if (raw === null || typeof raw !== 'object')
    throw new InvalidArgumentError('invalid filter: not an object');
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (Array.isArray(v)) out[k] = v.map(String);
    else if (v && typeof v === 'object')
      out[k] = Object.keys(v).filter((x) => (v as Record<string, unknown>)[x]);
    else throw new InvalidArgumentError(`invalid filter value for ${k}`);
  }
  return out;
}

/** Options of a container listing (the query of `GET /containers/json`). */
export interface ListOptions {
  readonly all: boolean;
  readonly limit: number;
  readonly before?: string;
  readonly since?: string;
  readonly filters: ListFilters;
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
    filters: parseFilters(query.get('filters')),
  };
}

const RUNNING = new Set(['running', 'paused', 'restarting']);

function exitCode(status: string): number | undefined {
  const m = /^Exited \((-?\d+)\)/.exec(status);
  return m ? Number(m[1]) : undefined;
}

function labelMatches(labels: Record<string, string> | null, want: string): boolean {
  const eq = want.indexOf('=');
  const l = labels ?? {};
  if (eq < 0) return Object.hasOwn(l, want);
  return l[want.slice(0, eq)] === want.slice(eq + 1);
}

function nameMatches(names: readonly string[], pattern: string): boolean {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch {
    return names.some((n) => n.includes(pattern));
  }
  return names.some((n) => re.test(n) || re.test(n.slice(1)));
}

/**
 * Builds the `docker ps` answer from cached containers (docs/behaviour/lookup.md#docker-ps): names prefixed
 * with the node name, unspecified port IPs replaced by the node IP, `shoal`/`swarm` image containers and
 * containers of unhealthy nodes hidden unless `all`, status `Host Down` for those, filters
 * name/id/label/status/node/exited/volume, `before`/`since`, `limit`, newest first.
 */
export function listContainers(cached: readonly ApiContainer[], opts: ListOptions): EngineContainerSummary[] {
  const f = opts.filters;
  const all = opts.all || opts.limit > 0 || opts.before !== undefined || opts.since !== undefined;
  const sorted = [...cached].sort(
    (a, b) => b.summary.Created - a.summary.Created || a.id.localeCompare(b.id),
  );
  const findRef = (ref: string) =>
    sorted.find(
      (c) =>
        c.id.startsWith(ref) ||
        c.summary.Names.some((n) => n === `/${ref}` || `/${c.node.name}${n}` === `/${ref}`),
    );
  const beforeC = opts.before ? findRef(opts.before) : undefined;
  const sinceC = opts.since ? findRef(opts.since) : undefined;
  if (opts.before && !beforeC) throw new InvalidArgumentError(`No such container: ${opts.before}`);
  if (opts.since && !sinceC) throw new InvalidArgumentError(`No such container: ${opts.since}`);
  const out: EngineContainerSummary[] = [];
  for (const c of sorted) {
    const s = c.summary;
    const healthy = c.node.state === 'healthy';
    const imageName = (s.Image ?? '').split(':')[0] ?? '';
    if (!opts.all && (imageName === 'shoal' || imageName === 'swarm')) continue;
    if (!all && (!healthy || !RUNNING.has(s.State))) continue;
    if (beforeC && s.Created >= beforeC.summary.Created) continue;
    if (sinceC && s.Created <= sinceC.summary.Created) continue;
    const names = s.Names.map((n) => `/${c.node.name}${n.startsWith('/') ? n : `/${n}`}`);
    if (f.name && !f.name.some((p) => nameMatches(names, p) || nameMatches(s.Names, p))) continue;
    if (f.id && !f.id.some((p) => c.id.startsWith(p))) continue;
    if (f.label && !f.label.every((l) => labelMatches(s.Labels, l))) continue;
    if (f.status && !f.status.includes(s.State)) continue;
    if (f.node && !f.node.some((n) => n === c.node.name || n === c.node.id)) continue;
    if (f.exited) {
      const code = exitCode(s.Status);
      if (code === undefined || !f.exited.includes(String(code))) continue;
    }
    if (
      f.volume &&
      !f.volume.some((v) =>
        (s.Mounts ?? []).some((m) => m.Name === v || m.Source === v || m.Destination === v),
      )
    )
      continue;
    const ports = (s.Ports ?? []).map((p) =>
      p.IP === '0.0.0.0' || p.IP === '::' || p.IP === '' ? { ...p, IP: c.node.ip } : p,
    );
    out.push({ ...s, Names: names, Ports: ports, Status: healthy ? s.Status : 'Host Down' });
    if (opts.limit > 0 && out.length >= opts.limit) break;
  }
  return out;
}
