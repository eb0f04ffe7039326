import type { ApiNode } from '../cluster-port.js';
import type { ApiDeps, RequestContext, Route } from '../context.js';
import { NoSuchExecError, NoSuchRouteError } from '../errors.js';
import { enginePath, proxy } from '../proxy.js';
import { healthyClient, healthyNodes, splitRef } from '../refs.js';

const ACTIONS = new Set(['json', 'start', 'resize']);

/**
 * Finds the node of an exec instance: from the registry filled at exec create, else by asking every healthy node
 * (an exec created before a manager restart).
 */
export async function execNode(deps: ApiDeps, id: string): Promise<ApiNode> {
  const addr = deps.execs.lookup(id);
  const nodes = healthyNodes(deps.cluster);
  if (addr) {
    const n = deps.cluster.nodes().find((x) => x.addr === addr);
    if (n) return n;
  }
  const answers = await Promise.all(
    nodes.map(async (n) => {
      const r = await n.client.request('GET', `/exec/${encodeURIComponent(id)}/json`).catch(() => undefined);
      if (!r) return undefined;
      await r.body.text().catch(() => '');
      return r.statusCode === 200 ? n : undefined;
    }),
  );
  const found = answers.find((n) => n !== undefined);
  if (!found) throw new NoSuchExecError(id);
  deps.execs.remember(id, found.addr);
  return found;
}

async function execAny(ctx: RequestContext): Promise<void> {
  const { ref, action } = splitRef(ctx.params['*'] ?? '', ACTIONS);
  if (!action) throw new NoSuchRouteError();
  const node = await execNode(ctx.deps, ref);
  await proxy(ctx, healthyClient(node), { path: enginePath(ctx, `/exec/${ref}/${action}`) });
}

/** Exec routes: `/exec/{id}/json`, `/exec/{id}/resize` and a non-hijacked (detached) `/exec/{id}/start`. */
export function execRoutes(): Route[] {
  return [
    { method: 'GET', path: '/exec/*', handler: execAny },
    { method: 'POST', path: '/exec/*', handler: execAny },
  ];
}
