import { readCreateBody } from '../../scheduler/request.js';
import type { RequestContext, Route } from '../context.js';
import { NoPlacementRecordedError } from '../errors.js';
import { readJsonObject } from '../json-body.js';
import { sendJson } from '../proxy.js';
import { requireContainer } from '../refs.js';

/** Why a container is on its node: the kept explanation of the placement that created it. */
async function placementOf(ctx: RequestContext): Promise<void> {
  const ref = (ctx.params['*'] ?? '').replace(/\/+$/, '');
  const c = requireContainer(ctx.deps.cluster, ref);
  const explanation = ctx.deps.cluster.placementOf(c.id);
  if (!explanation) throw new NoPlacementRecordedError(ref);
  sendJson(ctx, explanation);
}

/** The decision a container create body would get now, node by node; nothing is created or reserved. */
async function plan(ctx: RequestContext): Promise<void> {
  const body = readCreateBody(await readJsonObject(ctx.req));
  sendJson(ctx, ctx.deps.cluster.plan(body));
}

/**
 * shoal's placement routes (docs/behaviour/scheduling.md#messages): `GET /shoal/v1/placements/{container}` and
 * `POST /shoal/v1/plan`, both answering a placement explanation (`PlacementExplanation` in
 * `src/scheduler/explanation.ts`).
 */
export function placementRoutes(): Route[] {
  return [
    { method: 'GET', path: '/shoal/v1/placements/*', handler: placementOf },
    { method: 'POST', path: '/shoal/v1/plan', handler: plan },
  ];
}
