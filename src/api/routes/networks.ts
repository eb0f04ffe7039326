import { NoSuchNetworkError, SwarmNoSuchNetworkError } from '../../cluster/errors.js';
import { findNetwork } from '../../scheduler/lookup.js';
import { InvalidArgumentError, NotFoundError } from '../../util/errors.js';
import type { ApiNode } from '../cluster-port.js';
import { requireJsonContentType } from '../content-type.js';
import type { RequestContext, Route } from '../context.js';
import { NoSuchRouteError } from '../errors.js';
import { fanout, getIfExists } from '../fanout.js';
import { parseFilterArgs, withFilters } from '../filters/filter-args.js';
import { planNetworkList } from '../filters/network-filters.js';
import { readJsonObject } from '../json-body.js';
import { enginePath, sendJson } from '../proxy.js';
import {
  containerClient,
  healthyClient,
  healthyNodes,
  healthyNodesNamed,
  nodePrefixed,
  nodeSplitter,
  requireContainer,
  requireKnownPrefix,
  splitRef,
} from '../refs.js';

interface NetworkJson {
  Id: string;
  Name: string;
  Scope: string;
  [k: string]: unknown;
}

/** Shows a network the Swarm way: local-scope ones as `node/name`, global ones by their plain name. */
export function displayNetwork(net: NetworkJson, node: ApiNode): NetworkJson {
  return net.Scope === 'local' ? { ...net, Name: `${node.name}/${net.Name}` } : net;
}

/** Merges per-node network lists: local ones per node, global (overlay) ones once by ID. */
export function mergeNetworks(
  answers: readonly { node: ApiNode; nets: readonly NetworkJson[] }[],
): NetworkJson[] {
  const out: NetworkJson[] = [];
  const globals = new Set<string>();
  for (const { node, nets } of answers) {
    for (const n of nets) {
      if (n.Scope !== 'local') {
        if (globals.has(n.Id)) continue;
        globals.add(n.Id);
      }
      out.push(displayNetwork(n, node));
    }
  }
  return out;
}

async function list(ctx: RequestContext): Promise<void> {
  const plan = planNetworkList(
    parseFilterArgs(ctx.query.get('filters'), { badRequest: true }),
    nodeSplitter(ctx.deps.cluster),
  );
  const nodes = healthyNodesNamed(ctx.deps.cluster, plan.nodes);
  const q = withFilters(ctx.query, plan.forward);
  const answers = await fanout(nodes, (n) =>
    n.client.json<NetworkJson[]>('GET', enginePath(ctx, '/networks', q)),
  );
  const failed = answers.find((a) => a.error !== undefined);
  if (failed && answers.every((a) => a.value === undefined)) throw failed.error;
  sendJson(ctx, mergeNetworks(answers.map((a) => ({ node: a.node, nets: a.value ?? [] }))));
}

/**
 * Finds a network by ID, name, `node/name` or unique ID prefix: each engine (or the named node) answers for its own
 * networks, then Swarm's rule (`findNetwork`) picks among the answers, so a name matching different local
 * networks on several nodes is ambiguous (404) while a global network seen everywhere is one.
 */
async function resolve(
  ctx: RequestContext,
  ref: string,
  missing: (ref: string) => Error = (r) => new NoSuchNetworkError(r),
): Promise<{ node: ApiNode; net: NetworkJson }> {
  const { node, name } = nodePrefixed(ctx.deps.cluster, ref);
  const nodes = node ? [node] : healthyNodes(ctx.deps.cluster);
  const answers = await fanout(nodes, (n) =>
    getIfExists<NetworkJson>(n, `/networks/${encodeURIComponent(name)}`),
  );
  const hits: { node: ApiNode; network: NetworkJson }[] = [];
  for (const a of answers) if (a.value !== undefined) hits.push({ node: a.node, network: a.value });
  const hit = findNetwork(hits, name);
  if (!hit) throw missing(ref);
  return { node: hit.node, net: hit.network };
}

async function inspect(ctx: RequestContext): Promise<void> {
  const ref = (ctx.params['*'] ?? '').replace(/\/+$/, '');
  // as Swarm and the engine answer: the engine's own JSON, its plain Name included
  const { net } = await resolve(ctx, ref);
  sendJson(ctx, net);
}

async function create(ctx: RequestContext): Promise<void> {
  requireJsonContentType(ctx.req);
  const body = await readJsonObject(ctx.req);
  if (typeof body.Name !== 'string' || body.Name === '')
    throw new InvalidArgumentError(
      `invalid name: ${typeof body.Name === 'string' ? '' : JSON.stringify(body.Name ?? '')}`,
    );
  const { node: named, name } = nodePrefixed(ctx.deps.cluster, body.Name);
  if (!named) await requireKnownPrefix(ctx.deps.cluster, name);
  const createOn = async (node: ApiNode) => {
    const client = healthyClient(node);
    if (!body.Driver) {
      // Swarm defaults to overlay; that only works when the engines share a cluster store, so fall back to bridge.
      const info = await client.json<{ ClusterStore?: string }>('GET', '/info');
      body.Driver = info.ClusterStore ? 'overlay' : 'bridge';
    }
    const created = await client.json<{ Id: string; Warning?: string }>(
      'POST',
      enginePath(ctx, '/networks/create'),
      { ...body, Name: name },
    );
    await ctx.deps.cluster.refreshNode(node, 'networks').catch(() => undefined);
    return created;
  };
  const created = named ? await createOn(named) : await ctx.deps.cluster.place([], createOn);
  sendJson(ctx, created, 201);
}

async function connectOrDisconnect(ctx: RequestContext): Promise<void> {
  const { ref, action } = splitRef(ctx.params['*'] ?? '', new Set(['connect', 'disconnect']));
  if (!action) throw new NoSuchRouteError();
  requireJsonContentType(ctx.req);
  const body = await readJsonObject(ctx.req);
  if (body.Container === undefined || body.Container === null || body.Container === '')
    throw new NotFoundError('Container is not specified');
  const c = requireContainer(ctx.deps.cluster, String(body.Container));
  const { name } = nodePrefixed(ctx.deps.cluster, ref);
  const client = containerClient(c);
  c.node.inspects.forget(c.id);
  await client
    .json('POST', enginePath(ctx, `/networks/${encodeURIComponent(name)}/${action}`), {
      ...body,
      Container: c.id,
    })
    .finally(() => c.node.inspects.forget(c.id));
  await ctx.deps.cluster.refreshContainer(c.node, c.id).catch(() => undefined);
  ctx.res.writeHead(200);
  ctx.res.end();
}

async function remove(ctx: RequestContext): Promise<void> {
  const ref = (ctx.params['*'] ?? '').replace(/\/+$/, '');
  const { node, net } = await resolve(ctx, ref, (r) => new SwarmNoSuchNetworkError(r));
  await healthyClient(node).json('DELETE', enginePath(ctx, `/networks/${net.Id}`));
  const touched = net.Scope === 'local' ? [node] : healthyNodes(ctx.deps.cluster);
  await Promise.all(touched.map((n) => ctx.deps.cluster.refreshNode(n, 'networks').catch(() => undefined)));
  ctx.res.writeHead(204);
  ctx.res.end();
}

/** Network routes (docs/behaviour/lookup.md#networks, docs/behaviour/api.md#networks). */
export function networkRoutes(): Route[] {
  return [
    { method: 'GET', path: '/networks', handler: list },
    { method: 'POST', path: '/networks/create', handler: create },
    { method: 'GET', path: '/networks/*', handler: inspect },
    { method: 'POST', path: '/networks/*', handler: connectOrDisconnect },
    { method: 'DELETE', path: '/networks/*', handler: remove },
  ];
}
