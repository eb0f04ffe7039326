import { NoHealthyNodeError, NoSuchImageError, SwarmNoSuchImageError } from '../../cluster/errors.js';
import { EngineRequestError } from '../../engine/index.js';
import { ClusterError } from '../../util/errors.js';
import type { ApiNode } from '../cluster-port.js';
import type { RequestContext, Route } from '../context.js';
import { NoEngineWithImagesError, NoSuchRouteError, NotSupportedInClusterError } from '../errors.js';
import { fanout, getIfExists, teeBody } from '../fanout.js';
import { parseFilterArgs, withFilters } from '../filters/filter-args.js';
import { planImageList, qualifiedRef } from '../filters/image-filters.js';
import { enginePath, proxy, sendJson } from '../proxy.js';
import { healthyClient, healthyNodes, splitRef } from '../refs.js';

interface ImageSummary {
  Id: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  Created: number;
  [k: string]: unknown;
}

function nodesOrFail(ctx: RequestContext): ApiNode[] {
  const nodes = healthyNodes(ctx.deps.cluster);
  if (nodes.length === 0) throw new NoHealthyNodeError();
  return nodes;
}

/** Nodes that hold the image `name` (by ID, name or tag). */
async function owners(ctx: RequestContext, name: string): Promise<ApiNode[]> {
  const answers = await fanout(nodesOrFail(ctx), (n) =>
    getIfExists(n, `/images/${encodeURIComponent(name)}/json`),
  );
  return answers.filter((a) => a.value !== undefined).map((a) => a.node);
}

/** The creation time (ms) of the image `ref` on the first node holding it, with those nodes. */
async function refTime(nodes: readonly ApiNode[], ref: string) {
  const answers = await fanout(nodes, (n) =>
    getIfExists<{ Created: string }>(n, `/images/${encodeURIComponent(ref)}/json`),
  );
  const hits = answers.filter((a) => a.value !== undefined);
  const first = hits[0]?.value;
  // the engine answers 404 with the qualified ref (`nope:latest`)
  if (!first) throw new NoSuchImageError(qualifiedRef(ref));
  return { at: Date.parse(first.Created), holders: new Set(hits.map((h) => h.node.addr)) };
}

async function list(ctx: RequestContext): Promise<void> {
  const plan = planImageList(parseFilterArgs(ctx.query.get('filters')));
  let nodes = nodesOrFail(ctx);
  const want = plan.nodes;
  if (want) nodes = nodes.filter((n) => want.includes(n.name) || want.includes(n.id));
  const before = plan.before !== undefined ? await refTime(nodes, plan.before) : undefined;
  const since = plan.since !== undefined ? await refTime(nodes, plan.since) : undefined;
  const answers = await fanout(nodes, (n) => {
    // Engines holding the before/since image apply it themselves; the others are filtered by its time below.
    const args = new Map(plan.forward);
    if (plan.before !== undefined && before?.holders.has(n.addr)) args.set('before', [plan.before]);
    if (plan.since !== undefined && since?.holders.has(n.addr)) args.set('since', [plan.since]);
    const q = withFilters(ctx.query, args);
    return n.client
      .json<ImageSummary[]>('GET', enginePath(ctx, '/images/json', q))
      .then((imgs) =>
        imgs.filter(
          (i) =>
            (!before || before.holders.has(n.addr) || i.Created * 1000 < before.at) &&
            (!since || since.holders.has(n.addr) || i.Created * 1000 > since.at),
        ),
      );
  });
  const failed = answers.find((a) => a.error !== undefined);
  if (failed && answers.every((a) => a.value === undefined)) throw failed.error;
  const byId = new Map<string, ImageSummary>();
  for (const a of answers) {
    for (const img of a.value ?? []) {
      const prev = byId.get(img.Id);
      if (!prev) {
        byId.set(img.Id, { ...img, RepoTags: img.RepoTags ? [...img.RepoTags] : null });
        continue;
      }
      const tags = new Set([...(prev.RepoTags ?? []), ...(img.RepoTags ?? [])]);
      prev.RepoTags = tags.size ? [...tags].sort() : prev.RepoTags;
      const digests = new Set([...(prev.RepoDigests ?? []), ...(img.RepoDigests ?? [])]);
      prev.RepoDigests = digests.size ? [...digests].sort() : prev.RepoDigests;
    }
  }
  sendJson(
    ctx,
    [...byId.values()].sort((a, b) => b.Created - a.Created),
  );
}

/** The reference a pull names, as Swarm joined `fromImage` and `tag` (a digest tag with `@`). */
export function pulledRef(fromImage: string, tag: string | null): string {
  if (!tag) return fromImage;
  return /^[a-z0-9]+:[0-9a-f]{32,}$/i.test(tag) ? `${fromImage}@${tag}` : `${fromImage}:${tag}`;
}

/**
 * Pull on every healthy node (docs/behaviour/api.md#images). Progress lines carry the node name as `id` and
 * Swarm's `Pulling IMAGE... : STATUS`; a node that fails says why in its own line (Swarm's `Failed to load IMAGE:
 * MESSAGE` for an error the engine streamed), and once every node is done one error line repeats the last failure,
 * as Swarm ended a pull that failed anywhere.
 */
async function pull(ctx: RequestContext): Promise<void> {
  const nodes = nodesOrFail(ctx);
  const image = pulledRef(ctx.query.get('fromImage') ?? '', ctx.query.get('tag'));
  const headers: Record<string, string> = {};
  const auth = ctx.req.headers['x-registry-auth'];
  if (typeof auth === 'string') headers['x-registry-auth'] = auth;
  ctx.req.resume();
  ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
  const line = (v: unknown) => ctx.res.write(`${JSON.stringify(v)}\n`);
  const prefix = `Pulling ${image}...`;
  let lastError = '';
  const failed = (node: string, message: string) => {
    lastError = message;
    line({ status: `${prefix} : ${message}`, id: node });
  };
  await fanout(nodes, async (n) => {
    try {
      line({ status: prefix, id: n.name });
      const body = await n.client.stream('POST', ctx.req.url ?? '/images/create', { headers });
      let buf = '';
      let streamed = '';
      for await (const chunk of body) {
        buf += Buffer.from(chunk).toString('utf8');
        let nl = buf.indexOf('\n');
        while (nl >= 0) {
          const text = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          nl = buf.indexOf('\n');
          if (!text) continue;
          const msg = JSON.parse(text) as { status?: string; error?: string };
          if (msg.error) streamed = msg.error;
          else if (msg.status) line({ status: `${prefix} : ${msg.status}`, id: n.name });
        }
      }
      if (streamed) failed(n.name, `Failed to load ${image}: ${streamed}`);
      else line({ status: `${prefix} : downloaded`, id: n.name });
    } catch (err) {
      failed(n.name, err instanceof Error ? err.message : String(err));
    }
  });
  if (lastError) line({ errorDetail: { code: 1, message: lastError }, error: lastError });
  ctx.res.end();
  await Promise.all(nodes.map((n) => ctx.deps.cluster.refreshNode(n, 'images').catch(() => undefined)));
}

/** The message of the first error line in an engine's JSON-lines answer (a failure streamed after a 200), if any. */
export function streamedError(text: string): string | undefined {
  for (const l of text.split('\n')) {
    const t = l.trim();
    if (!t.startsWith('{')) continue;
    try {
      const m = JSON.parse(t) as { error?: unknown };
      if (typeof m.error === 'string' && m.error !== '') return m.error;
    } catch {
      // not a JSON line: nothing streamed there
    }
  }
  return undefined;
}

/**
 * Sends the body to every healthy node and answers with the first node's output (load, import). A node whose engine
 * refused the request makes the answer that refusal; a node whose engine streamed an error after its 200 ends the
 * answer with one error line in Swarm's words: `Failed to load image: MESSAGE`, `Failed to import REF: MESSAGE`.
 */
async function teeToAll(ctx: RequestContext): Promise<void> {
  const nodes = nodesOrFail(ctx);
  const answers = await teeBody(ctx.req, nodes, ctx.req.url ?? '/');
  await Promise.all(nodes.map((n) => ctx.deps.cluster.refreshNode(n, 'images').catch(() => undefined)));
  const failed = answers.filter((a) => a.error !== undefined || (a.value?.status ?? 500) >= 400);
  if (failed.length > 0) {
    const f = failed[0] as (typeof answers)[number];
    if (f.error !== undefined) throw f.error;
    const v = f.value as { status: number; text: string };
    throw new EngineRequestError(v.status, `${f.node.name}: ${v.text.trim()}`);
  }
  const first = answers[0]?.value as { status: number; text: string };
  const streamed = answers.map((a) => streamedError(a.value?.text ?? '')).filter((m) => m !== undefined);
  const last = streamed.at(-1);
  if (last === undefined) {
    ctx.res.writeHead(first.status, { 'Content-Type': 'application/json' });
    ctx.res.end(first.text);
    return;
  }
  const fromSrc = ctx.query.get('fromSrc');
  const message =
    fromSrc !== null
      ? `Failed to import ${pulledRef(ctx.query.get('repo') ?? '', ctx.query.get('tag'))}: ${last}`
      : `Failed to load image: ${last}`;
  const progress = first.text
    .split('\n')
    .filter((l) => l.trim() !== '' && streamedError(l) === undefined)
    .map((l) => `${l}\n`)
    .join('');
  ctx.res.writeHead(first.status, { 'Content-Type': 'application/json' });
  ctx.res.end(`${progress}${JSON.stringify({ errorDetail: { code: 1, message }, error: message })}\n`);
}

async function create(ctx: RequestContext): Promise<void> {
  if (ctx.query.get('fromSrc')) return teeToAll(ctx);
  return pull(ctx);
}

const GET_ACTIONS = new Set(['json', 'history', 'get']);

async function getAny(ctx: RequestContext): Promise<void> {
  const rest = ctx.params['*'] ?? '';
  if (rest === 'viz') throw new NotSupportedInClusterError();
  if (rest === 'get') {
    const names = ctx.query.getAll('names');
    const per = await Promise.all(names.map((n) => owners(ctx, n)));
    const node = nodesOrFail(ctx).find((n) => per.every((o) => o.some((x) => x.addr === n.addr)));
    if (!node) throw new NoEngineWithImagesError(names);
    return proxy(ctx, node.client);
  }
  const { ref, action } = splitRef(rest, GET_ACTIONS);
  if (!action) throw new NoSuchRouteError();
  const holders = await owners(ctx, ref);
  if (holders.length === 0) throw new NoSuchImageError(ref);
  await proxy(ctx, (holders[0] as ApiNode).client);
}

/**
 * The image a push names: the client sends the repository in the path and the tag (or a digest) in `tag`, so the
 * lookup must join them (`repo` alone means `repo:latest` to an engine). An empty tag pushes every tag of the
 * repository: `undefined` then, and holders are found by repository instead.
 */
export function pushedImage(repo: string, tag: string | null): string | undefined {
  if (!tag) return undefined;
  return tag.includes(':') ? `${repo}@${tag}` : `${repo}:${tag}`;
}

/** Nodes holding any tag of the repository `repo` (a push of every tag). */
async function repoOwners(ctx: RequestContext, repo: string): Promise<ApiNode[]> {
  const q = new URLSearchParams({ filters: JSON.stringify({ reference: [repo] }) });
  const answers = await fanout(nodesOrFail(ctx), (n) =>
    n.client.json<ImageSummary[]>('GET', `/images/json?${q}`),
  );
  return answers.filter((a) => (a.value?.length ?? 0) > 0).map((a) => a.node);
}

async function push(ctx: RequestContext, repo: string): Promise<void> {
  const image = pushedImage(repo, ctx.query.get('tag'));
  const holders = image !== undefined ? await owners(ctx, image) : await repoOwners(ctx, repo);
  if (holders.length === 0) throw new NoSuchImageError(image ?? repo);
  return proxy(ctx, (holders[0] as ApiNode).client);
}

async function postAny(ctx: RequestContext): Promise<void> {
  const { ref, action } = splitRef(ctx.params['*'] ?? '', new Set(['tag', 'push']));
  if (!action) throw new NoSuchRouteError();
  if (action === 'push') return push(ctx, ref);
  const holders = await owners(ctx, ref);
  if (holders.length === 0) throw new NoSuchImageError(ref);
  ctx.req.resume();
  const answers = await fanout(holders, (n) => n.client.json('POST', ctx.req.url ?? '/'));
  await Promise.all(holders.map((n) => ctx.deps.cluster.refreshNode(n, 'images').catch(() => undefined)));
  const err = answers.find((a) => a.error !== undefined);
  if (err) throw err.error;
  ctx.res.writeHead(201);
  ctx.res.end();
}

async function remove(ctx: RequestContext): Promise<void> {
  const ref = (ctx.params['*'] ?? '').replace(/\/+$/, '');
  const holders = await owners(ctx, ref);
  if (holders.length === 0) throw new SwarmNoSuchImageError(ref);
  const answers = await fanout(holders, (n) => n.client.json<unknown[]>('DELETE', ctx.req.url ?? '/'));
  await Promise.all(holders.map((n) => ctx.deps.cluster.refreshNode(n, 'images').catch(() => undefined)));
  const errors = answers.filter((a) => a.error !== undefined);
  if (errors.length > 0) {
    const first = errors[0]?.error;
    const status = first instanceof ClusterError ? first.httpStatus : 500;
    const message = errors
      .map((e) => `${e.node.name}: ${e.error instanceof Error ? e.error.message : String(e.error)}`)
      .join('; ');
    throw new EngineRequestError(status, message);
  }
  sendJson(
    ctx,
    answers.flatMap((a) => a.value ?? []),
  );
}

async function search(ctx: RequestContext): Promise<void> {
  await ctx.deps.cluster.place([], (node) => proxy(ctx, healthyClient(node)));
}

/**
 * Image routes (docs/behaviour/api.md#images): merged list, pull fanned out, load/import teed, tag/rm on
 * every holder, viz refused.
 */
export function imageRoutes(): Route[] {
  return [
    { method: 'GET', path: '/images/json', handler: list },
    { method: 'GET', path: '/images/search', handler: search },
    { method: 'POST', path: '/images/create', handler: create },
    { method: 'POST', path: '/images/load', handler: teeToAll },
    { method: 'GET', path: '/images/*', handler: getAny },
    { method: 'POST', path: '/images/*', handler: postAny },
    { method: 'DELETE', path: '/images/*', handler: remove },
  ];
}
