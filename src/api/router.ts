import type { IncomingMessage, ServerResponse } from 'node:http';
import FindMyWay from 'find-my-way';
import type { ApiDeps, Route, RouteHandler } from './context.js';
import { sendError } from './error-handler.js';
import { ClientVersionTooOldError, NoSuchRouteError } from './errors.js';

/** The API version shoal advertises (`API-Version` header, `/version`); both the 20.10 and the 28 CLI accept it. */
export const API_VERSION = '1.41';
/** The oldest API version shoal accepts from clients. */
export const MIN_API_VERSION = '1.12';

const VERSION_PREFIX = /^\/v(\d+\.\d+)(?=\/)/;

/** True when API version `a` (`major.minor`) is older than `b`. */
export function olderThan(a: string, b: string): boolean {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am < bm || (am === bm && an < bn);
}

/**
 * Last path segments that name an action after a resource reference (`/containers/{name}/logs`). A wildcard route's
 * metrics template keeps one of these and replaces everything else with `{name}`, so labels stay bounded.
 */
const ACTIONS = new Set([
  'json',
  'logs',
  'start',
  'stop',
  'restart',
  'kill',
  'pause',
  'unpause',
  'wait',
  'attach',
  'resize',
  'top',
  'changes',
  'export',
  'stats',
  'rename',
  'update',
  'archive',
  'exec',
  'history',
  'push',
  'tag',
  'get',
  'connect',
  'disconnect',
]);

/** The plain find-my-way router other layers add routes to. */
export type RawRouter = FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;

/** A matched route: the handler, its path parameters, the version prefix and the path without it. */
export interface RouteMatch {
  readonly handler: RouteHandler;
  /** The route's path template (`/containers/:id/json`). */
  readonly route: string;
  readonly params: Record<string, string | undefined>;
  readonly path: string;
  readonly version: string | undefined;
  readonly query: URLSearchParams;
}

/**
 * The route table: find-my-way over the paths of every resource module. Each route answers with and without the
 * `/vX.Y` prefix (the prefix is stripped before the lookup, as Swarm's router accepts both).
 */
export class ApiRouter {
  private readonly fmw = FindMyWay({ ignoreTrailingSlash: true, ignoreDuplicateSlashes: true });
  private readonly raw = FindMyWay({ ignoreTrailingSlash: true });
  /** Path templates of the other layers' plain routes, by handler (for metrics labels). */
  private readonly rawTemplates = new Map<unknown, string>();

  /**
   * @param routes the route table.
   * @param extend adds plain find-my-way routes owned by another layer (e.g. `addDiscoveryRoutes`); they are
   * tried, unprefixed, when no table route matches.
   */
  constructor(routes: readonly Route[], extend?: (raw: RawRouter) => void) {
    for (const r of routes) this.fmw.on(r.method, r.path, () => undefined, r);
    extend?.(this.raw);
    // find-my-way keeps every added route (method, path, handler) in `routes`.
    const added = (this.raw as unknown as { routes?: { path: string; handler: unknown }[] }).routes ?? [];
    for (const r of added) this.rawTemplates.set(r.handler, r.path);
  }

  /**
   * The route template serving `method url` (`/containers/:id/json`), or `unmatched`: a bounded label for metrics,
   * never a raw path.
   */
  template(method: string, url: string): string {
    const match = this.match(method, url);
    if (match) {
      if (!match.route.endsWith('*')) return match.route;
      const rest = match.params['*'] ?? '';
      const action = rest.slice(rest.lastIndexOf('/') + 1);
      const base = match.route.slice(0, -1);
      return rest.includes('/') && ACTIONS.has(action) ? `${base}{name}/${action}` : `${base}{name}`;
    }
    const q = url.indexOf('?');
    const raw = this.raw.find(method as 'GET', q < 0 ? url : url.slice(0, q));
    return (raw && this.rawTemplates.get(raw.handler)) ?? 'unmatched';
  }

  /** Finds the route for a method and raw URL, or undefined when none matches. */
  match(method: string, url: string): RouteMatch | undefined {
    const q = url.indexOf('?');
    let path = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    let version: string | undefined;
    const m = VERSION_PREFIX.exec(path);
    if (m) {
      version = m[1];
      path = path.slice(m[0].length);
    }
    const found = this.fmw.find(method as 'GET', path);
    if (!found) return undefined;
    const route = found.store as Route;
    return { handler: route.handler, route: route.path, params: found.params, path, version, query };
  }

  /** Serves one request: every response carries `API-Version`; every error goes through {@link sendError}. */
  handle(req: IncomingMessage, res: ServerResponse, deps: ApiDeps): void {
    res.setHeader('API-Version', API_VERSION);
    res.setHeader('Server', 'shoal');
    const match = this.match(req.method ?? 'GET', req.url ?? '/');
    if (!match) {
      const q = (req.url ?? '/').indexOf('?');
      const path = q < 0 ? (req.url ?? '/') : (req.url ?? '/').slice(0, q);
      const raw = this.raw.find((req.method ?? 'GET') as 'GET', path);
      if (raw) {
        raw.handler(req, res, raw.params, raw.store, raw.searchParams);
        return;
      }
      req.resume();
      sendError(res, new NoSuchRouteError());
      return;
    }
    if (match.version && olderThan(match.version, MIN_API_VERSION)) {
      // refused here, in JSON, as the engine refuses it (engines answer clients this old in plain text)
      req.resume();
      sendError(res, new ClientVersionTooOldError(match.version, MIN_API_VERSION));
      return;
    }
    const ctx = { req, res, deps, ...match };
    match.handler(ctx).catch((err: unknown) => {
      req.resume();
      sendError(res, err);
    });
  }
}
