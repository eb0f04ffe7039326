import type { RequestContext, Route } from '../context.js';
import { enginePath, proxy } from '../proxy.js';
import { containerClient, healthyClient, requireContainer } from '../refs.js';

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

/** `POST /build` on a scheduler-chosen node and `POST /commit` on the container's node. */
export function buildRoutes(): Route[] {
  return [
    { method: 'POST', path: '/build', handler: build },
    { method: 'POST', path: '/commit', handler: commit },
  ];
}
