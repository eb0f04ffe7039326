import { NoHealthyNodeError } from '../../cluster/errors.js';
import type { RequestContext, Route } from '../context.js';
import { BuildIdMissingError, SessionIdMissingError, SessionUpgradeMissingError } from '../errors.js';
import { fanout } from '../fanout.js';
import { enginePath, proxy } from '../proxy.js';
import { containerClient, healthyClient, healthyNodes, requireContainer } from '../refs.js';

/** The header a BuildKit client names its session with (`POST /session`). */
export const SESSION_HEADER = 'x-docker-expose-session-uuid';

/**
 * Build args of the form `constraint:key==value` steer the build node, like container constraints. The client
 * splits `--build-arg constraint:node==n1` at the first `=` (`constraint:node` → `=n1`), so the expression is the
 * key's tail, `=`, and the value: `node==n1`, `node!=n1`.
 */
export function buildConstraints(query: URLSearchParams): string[] {
  const raw = query.get('buildargs');
  if (!raw) return [];
  try {
    const args = JSON.parse(raw) as Record<string, string>;
    return Object.entries(args)
      .filter(([k]) => k.startsWith('constraint:'))
      .map(([k, v]) => `${k.slice('constraint:'.length)}=${v}`);
  } catch {
    return [];
  }
}

async function build(ctx: RequestContext): Promise<void> {
  await ctx.deps.cluster.place(buildConstraints(ctx.query), async (node) => {
    await proxy(ctx, healthyClient(node), {});
    await ctx.deps.cluster.refreshNode(node, 'images').catch(() => undefined);
  });
}

async function commit(ctx: RequestContext): Promise<void> {
  const c = requireContainer(ctx.deps.cluster, ctx.query.get('container') ?? '');
  const q = new URLSearchParams(ctx.query);
  q.set('container', c.id);
  await proxy(ctx, containerClient(c), {
    path: enginePath(ctx, '/commit', q),
    after: () => ctx.deps.cluster.refreshNode(c.node, 'images'),
  });
}

/**
 * `POST /build/cancel?id=ID`: refused with Swarm's 400 `build ID not provided` without an ID; else sent to every
 * healthy node, since the build runs on one of them and an engine answers an ID it does not run with 200.
 */
async function cancel(ctx: RequestContext): Promise<void> {
  const id = ctx.query.get('id');
  if (!id) throw new BuildIdMissingError();
  const nodes = healthyNodes(ctx.deps.cluster);
  if (nodes.length === 0) throw new NoHealthyNodeError();
  const q = new URLSearchParams({ id });
  const answers = await fanout(nodes, (n) => n.client.json('POST', enginePath(ctx, '/build/cancel', q)));
  if (answers.every((a) => a.error !== undefined)) throw answers[0]?.error;
  // as the engine answers: 200, a JSON content type and no body
  ctx.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 0 });
  ctx.res.end();
}

/**
 * `POST /session` as a plain request (a BuildKit session is an HTTP upgrade, served apart): Swarm's 400 `no session
 * ID provided` without the session header, else the engine's 400 for a session that does not upgrade.
 */
async function session(ctx: RequestContext): Promise<void> {
  if (!ctx.req.headers[SESSION_HEADER]) throw new SessionIdMissingError();
  throw new SessionUpgradeMissingError();
}

/**
 * `POST /build` on a scheduler-chosen node, `POST /build/cancel` on every node, `POST /session` refused, and
 * `POST /commit` on the container's node.
 */
export function buildRoutes(): Route[] {
  return [
    { method: 'POST', path: '/build', handler: build },
    { method: 'POST', path: '/build/cancel', handler: cancel },
    { method: 'POST', path: '/session', handler: session },
    { method: 'POST', path: '/commit', handler: commit },
  ];
}
