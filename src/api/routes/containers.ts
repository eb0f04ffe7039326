import { NameConflictError } from '../../cluster/errors.js';
import type { CreateTiming } from '../../cluster/index.js';
import { SWARM_LABELS } from '../../scheduler/index.js';
import { readCreateBody } from '../../scheduler/request.js';
import type { ApiContainer } from '../cluster-port.js';
import { type ListOptions, listContainers, listOptions } from '../container-list.js';
import { requireJsonContentType } from '../content-type.js';
import type { RequestContext, Route } from '../context.js';
import { NoSuchRouteError } from '../errors.js';
import { fanout } from '../fanout.js';
import { ancestorIds, type ImageEntry } from '../filters/image-filters.js';
import { isStorableInspect, wantsSize, withNodeHostIps, withNodeObject } from '../inspect-answer.js';
import { readJsonObject } from '../json-body.js';
import { pinToNetworkNodes } from '../network-pin.js';
import { enginePath, proxy, sendJson, sendJsonText } from '../proxy.js';
import { containerClient, healthyNodes, nodeSplitter, requireContainer, splitRef } from '../refs.js';

const GET_ACTIONS = new Set(['json', 'archive', 'export', 'changes', 'top', 'logs', 'stats', 'attach', 'ws']);
const POST_ACTIONS = new Set([
  'start',
  'stop',
  'kill',
  'restart',
  'pause',
  'unpause',
  'update',
  'wait',
  'resize',
  'copy',
  'rename',
  'exec',
  'attach',
]);
/** Actions after which the cached container is re-read before the client gets the answer. */
const REFRESH_AFTER = new Set(['stop', 'kill', 'restart', 'pause', 'unpause', 'update', 'rename']);

async function list(ctx: RequestContext): Promise<void> {
  const opts = listOptions(ctx.query);
  const refs = opts.args.get('ancestor') ?? [];
  let ancestors: Set<string> | undefined;
  if (refs.length > 0) {
    // `ancestor` names images and everything built on them, as each engine's image graph says.
    const answers = await fanout(healthyNodes(ctx.deps.cluster), (n) =>
      n.client.json<ImageEntry[]>('GET', '/images/json?all=1'),
    );
    ancestors = new Set(answers.flatMap((a) => [...ancestorIds(a.value ?? [], refs)]));
  }
  const splitNode = nodeSplitter(ctx.deps.cluster);
  sendJson(ctx, listContainers(candidates(ctx, opts), opts, { ancestors, splitNode }));
}

const FULL_ID = /^[0-9a-f]{64}$/;

/**
 * The containers a listing looks at: all of them, or, when an `id` filter names full IDs only (and no
 * `before`/`since` needs the others' order), just those. A full ID, as a value or a regexp, matches only the
 * container with that ID, so the answer is the same; polling one container's state is then one lookup, not a pass
 * over every container of the cluster.
 */
function candidates(ctx: RequestContext, opts: ListOptions): readonly ApiContainer[] {
  const ids = opts.args.get('id') ?? [];
  const ordered =
    opts.before !== undefined ||
    opts.since !== undefined ||
    opts.args.has('before') ||
    opts.args.has('since');
  if (ids.length === 0 || ordered || !ids.every((id) => FULL_ID.test(id)))
    return ctx.deps.cluster.containers();
  const out: ApiContainer[] = [];
  for (const id of new Set(ids)) {
    const c = ctx.deps.cluster.container(id);
    if (c?.id === id) out.push(c);
  }
  return out;
}

async function create(ctx: RequestContext): Promise<void> {
  requireJsonContentType(ctx.req);
  const body = readCreateBody(await readJsonObject(ctx.req));
  await pinToNetworkNodes(ctx.deps.cluster, body);
  const name = ctx.query.get('name') ?? '';
  const auth = ctx.req.headers['x-registry-auth'];
  const created = await ctx.deps.cluster.createContainer(
    body,
    name,
    typeof auth === 'string' ? auth : undefined,
  );
  if (created.timing) ctx.res.setHeader('Server-Timing', serverTiming(created.timing));
  sendJson(ctx, { Id: created.Id, Warnings: created.Warnings ?? [] }, 201);
}

/** `Server-Timing` (W3C Server Timing) of a create: the scheduling step and the engine calls, in ms. */
export function serverTiming(t: CreateTiming): string {
  return `schedule;dur=${t.scheduleMs.toFixed(3)}, engine;dur=${t.engineMs.toFixed(3)}`;
}

/**
 * Proxied inspect plus the `Node` object (docs/behaviour/api.md#containers). The answer is kept per engine
 * and served again until an engine event or a change through the manager touches the container
 * (`src/cluster/inspect-cache.ts`).
 */
async function inspect(ctx: RequestContext, ref: string): Promise<void> {
  const c = requireContainer(ctx.deps.cluster, ref, 'lookup');
  const client = containerClient(c);
  const path = enginePath(ctx, `/containers/${c.id}/json`);
  const store = wantsSize(ctx.query) ? undefined : c.node.inspects;
  let json = store?.get(path);
  if (json === undefined) {
    const ticket = store?.ticket() ?? -1;
    const body = await client.json<Record<string, unknown>>('GET', path);
    json = JSON.stringify(withNodeHostIps(body, c.node.ip));
    if (isStorableInspect(body)) store?.put(ticket, c.id, path, json);
  }
  sendJsonText(ctx, withNodeObject(json, c.node));
}

async function getAny(ctx: RequestContext): Promise<void> {
  const { ref, action } = splitRef(ctx.params['*'] ?? '', GET_ACTIONS);
  if (action === 'json') return inspect(ctx, ref);
  if (!action) throw new NoSuchRouteError();
  const c = requireContainer(ctx.deps.cluster, ref);
  await proxy(ctx, containerClient(c), { path: enginePath(ctx, `/containers/${c.id}/${action}`) });
}

async function archive(ctx: RequestContext): Promise<void> {
  const { ref, action } = splitRef(ctx.params['*'] ?? '', new Set(['archive']));
  if (action !== 'archive') throw new NoSuchRouteError();
  const c = requireContainer(ctx.deps.cluster, ref);
  await proxy(ctx, containerClient(c), { path: enginePath(ctx, `/containers/${c.id}/archive`) });
}

async function rename(ctx: RequestContext, ref: string): Promise<void> {
  const c = requireContainer(ctx.deps.cluster, ref);
  const name = (ctx.query.get('name') ?? '').replace(/^\//, '');
  const holder = ctx.deps.cluster
    .containers()
    .find((x) => x.id !== c.id && x.summary.Names.some((n) => n === `/${name}`));
  if (holder) throw new NameConflictError(`/${name}`, holder.id);
  await proxy(ctx, containerClient(c), {
    path: enginePath(ctx, `/containers/${c.id}/rename`),
    changes: () => c.node.inspects.forget(c.id),
    after: () => ctx.deps.cluster.refreshContainer(c.node, c.id),
  });
}

async function execCreate(ctx: RequestContext, ref: string): Promise<void> {
  requireJsonContentType(ctx.req);
  const c = requireContainer(ctx.deps.cluster, ref, 'lookup');
  const client = containerClient(c);
  const body = await readJsonObject(ctx.req);
  c.node.inspects.forget(c.id);
  const created = await client
    .json<{ Id: string }>('POST', enginePath(ctx, `/containers/${c.id}/exec`), body)
    .finally(() => c.node.inspects.forget(c.id));
  ctx.deps.execs.remember(created.Id, c.node.addr);
  sendJson(ctx, created, 201);
}

async function postAny(ctx: RequestContext): Promise<void> {
  const { ref, action } = splitRef(ctx.params['*'] ?? '', POST_ACTIONS);
  if (!action) throw new NoSuchRouteError();
  if (action === 'rename') return rename(ctx, ref);
  if (action === 'exec') return execCreate(ctx, ref);
  // Swarm answered a missing container's start itself, without the colon; the other actions with the engine's text
  const c = requireContainer(ctx.deps.cluster, ref, action === 'start' ? 'lookup' : undefined);
  const path = enginePath(ctx, `/containers/${c.id}/${action}`);
  await proxy(ctx, containerClient(c), {
    path,
    changes: () => c.node.inspects.forget(c.id),
    ...(REFRESH_AFTER.has(action) ? { after: () => ctx.deps.cluster.refreshContainer(c.node, c.id) } : {}),
    // `start` is on the `docker run` hot path: answer first, then refresh (the engine's start event refreshes too)
    ...(action === 'start' ? { afterResponse: () => ctx.deps.cluster.refreshContainer(c.node, c.id) } : {}),
  });
}

async function remove(ctx: RequestContext): Promise<void> {
  const ref = (ctx.params['*'] ?? '').replace(/\/+$/, '');
  const c = requireContainer(ctx.deps.cluster, ref, 'remove');
  const swarmId = c.summary.Labels?.[SWARM_LABELS.id];
  await proxy(ctx, containerClient(c), {
    path: enginePath(ctx, `/containers/${c.id}`),
    changes: () => c.node.inspects.forget(c.id),
    after: async (status) => {
      // before the client hears of it: a move of this container must not outlive the removal
      if (status < 300 && swarmId) ctx.deps.nodeControl?.removed?.(swarmId);
      await ctx.deps.cluster.refreshContainer(c.node, c.id);
    },
  });
}

/**
 * Container routes (docs/behaviour/api.md#containers): list from the cache, create through the scheduler,
 * everything else on the container's node.
 */
export function containerRoutes(): Route[] {
  return [
    { method: 'GET', path: '/containers/json', handler: list },
    { method: 'GET', path: '/containers/ps', handler: list },
    { method: 'POST', path: '/containers/create', handler: create },
    { method: 'GET', path: '/containers/*', handler: getAny },
    { method: 'HEAD', path: '/containers/*', handler: archive },
    { method: 'PUT', path: '/containers/*', handler: archive },
    { method: 'POST', path: '/containers/*', handler: postAny },
    { method: 'DELETE', path: '/containers/*', handler: remove },
  ];
}
