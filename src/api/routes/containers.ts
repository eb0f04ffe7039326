import type { ApiNode, CreateTiming } from '../cluster-port.js';
import { listContainers, listOptions } from '../container-list.js';
import type { RequestContext, Route } from '../context.js';
import { ContainerNameConflictError, NoSuchRouteError } from '../errors.js';
import { readJsonObject } from '../json-body.js';
import { healthyClient, requireContainer, splitRef } from '../lookup.js';
import { enginePath, proxy, sendJson } from '../proxy.js';

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

/** The `Node` object Swarm adds to container inspect. */
export function nodeObject(node: ApiNode): Record<string, unknown> {
  return {
    ID: node.id,
    IP: node.ip,
    Addr: node.addr,
    Name: node.name,
    Cpus: node.totalCpus,
    Memory: node.totalMemory,
    Labels: node.labels,
  };
}

/** Adds `Node` to an inspect answer and replaces unspecified host IPs of published ports with the node IP. */
export function decorateInspect(body: Record<string, unknown>, node: ApiNode): Record<string, unknown> {
  const ns = body.NetworkSettings as
    | { Ports?: Record<string, { HostIp: string; HostPort: string }[] | null> }
    | undefined;
  if (ns?.Ports) {
    for (const bindings of Object.values(ns.Ports)) {
      for (const b of bindings ?? [])
        if (b.HostIp === '0.0.0.0' || b.HostIp === '' || b.HostIp === '::') b.HostIp = node.ip;
    }
  }
  return { ...body, Node: nodeObject(node) };
}

async function list(ctx: RequestContext): Promise<void> {
  sendJson(ctx, listContainers(ctx.deps.cluster.containers(), listOptions(ctx.query)));
}

async function create(ctx: RequestContext): Promise<void> {
  const body = await readJsonObject(ctx.req);
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

async function inspect(ctx: RequestContext, ref: string): Promise<void> {
  const c = requireContainer(ctx.deps.cluster, ref);
  const client = healthyClient(c.node);
  const body = await client.json<Record<string, unknown>>('GET', enginePath(ctx, `/containers/${c.id}/json`));
  sendJson(ctx, decorateInspect(body, c.node));
}

async function getAny(ctx: RequestContext): Promise<void> {
  const { ref, action } = splitRef(ctx.params['*'] ?? '', GET_ACTIONS);
  if (action === 'json') return inspect(ctx, ref);
  if (!action) throw new NoSuchRouteError();
  const c = requireContainer(ctx.deps.cluster, ref);
  await proxy(ctx, healthyClient(c.node), { path: enginePath(ctx, `/containers/${c.id}/${action}`) });
}

async function archive(ctx: RequestContext): Promise<void> {
  const { ref, action } = splitRef(ctx.params['*'] ?? '', new Set(['archive']));
  if (action !== 'archive') throw new NoSuchRouteError();
  const c = requireContainer(ctx.deps.cluster, ref);
  await proxy(ctx, healthyClient(c.node), { path: enginePath(ctx, `/containers/${c.id}/archive`) });
}

async function rename(ctx: RequestContext, ref: string): Promise<void> {
  const c = requireContainer(ctx.deps.cluster, ref);
  const name = (ctx.query.get('name') ?? '').replace(/^\//, '');
  const holder = ctx.deps.cluster
    .containers()
    .find((x) => x.id !== c.id && x.summary.Names.some((n) => n === `/${name}`));
  if (holder) throw new ContainerNameConflictError(`/${name}`, holder.id);
  await proxy(ctx, healthyClient(c.node), {
    path: enginePath(ctx, `/containers/${c.id}/rename`),
    after: () => ctx.deps.cluster.refreshContainer(c.node, c.id),
  });
}

async function execCreate(ctx: RequestContext, ref: string): Promise<void> {
  const c = requireContainer(ctx.deps.cluster, ref);
  const client = healthyClient(c.node);
  const body = await readJsonObject(ctx.req);
  const created = await client.json<{ Id: string }>(
    'POST',
    enginePath(ctx, `/containers/${c.id}/exec`),
    body,
  );
  ctx.deps.execs.remember(created.Id, c.node.addr);
  sendJson(ctx, created, 201);
}

async function postAny(ctx: RequestContext): Promise<void> {
  const { ref, action } = splitRef(ctx.params['*'] ?? '', POST_ACTIONS);
  if (!action) throw new NoSuchRouteError();
  if (action === 'rename') return rename(ctx, ref);
  if (action === 'exec') return execCreate(ctx, ref);
  const c = requireContainer(ctx.deps.cluster, ref);
  const path = enginePath(ctx, `/containers/${c.id}/${action}`);
  await proxy(ctx, healthyClient(c.node), {
    path,
    ...(REFRESH_AFTER.has(action) ? { after: () => ctx.deps.cluster.refreshContainer(c.node, c.id) } : {}),
    // `start` is on the `docker run` hot path: answer first, then refresh (the engine's start event refreshes too)
    ...(action === 'start' ? { afterResponse: () => ctx.deps.cluster.refreshContainer(c.node, c.id) } : {}),
  });
}

async function remove(ctx: RequestContext): Promise<void> {
  const ref = decodeURIComponent((ctx.params['*'] ?? '').replace(/\/+$/, ''));
  const c = requireContainer(ctx.deps.cluster, ref);
  await proxy(ctx, healthyClient(c.node), {
    path: enginePath(ctx, `/containers/${c.id}`),
    after: () => ctx.deps.cluster.refreshContainer(c.node, c.id),
  });
}

/** Container routes (§1.14): list from the cache, create through the scheduler, everything else on the container's node. */
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
