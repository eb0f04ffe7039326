import { randomBytes } from 'node:crypto';
import { NoHealthyNodeError, NoSuchVolumeError, SwarmNoSuchVolumeError } from '../../cluster/errors.js';
import { findVolumes } from '../../scheduler/lookup.js';
import type { ApiNode } from '../cluster-port.js';
import { requireJsonContentType } from '../content-type.js';
import type { RequestContext, Route } from '../context.js';
import { fanout, getIfExists } from '../fanout.js';
import { parseFilterArgs, withFilters } from '../filters/filter-args.js';
import { planVolumeList } from '../filters/volume-filters.js';
import { readJsonObject } from '../json-body.js';
import { volumeTargets } from '../node-targets.js';
import { enginePath, sendJson } from '../proxy.js';
import {
  healthyClient,
  healthyNodes,
  healthyNodesNamed,
  nodePrefixed,
  nodeSplitter,
  requireKnownPrefix,
} from '../refs.js';

interface VolumeJson {
  Name: string;
  Driver: string;
  [k: string]: unknown;
}

/** Shows a volume the Swarm way: local-driver volumes as `node/name`. */
export function displayVolume(v: VolumeJson, node: ApiNode): VolumeJson {
  return v.Driver === 'local' ? { ...v, Name: `${node.name}/${v.Name}` } : v;
}

async function list(ctx: RequestContext): Promise<void> {
  const plan = planVolumeList(
    parseFilterArgs(ctx.query.get('filters'), { badRequest: true }),
    nodeSplitter(ctx.deps.cluster),
  );
  const nodes = healthyNodesNamed(ctx.deps.cluster, plan.nodes);
  const q = withFilters(ctx.query, plan.forward);
  const answers = await fanout(nodes, (n) =>
    n.client.json<{ Volumes: VolumeJson[] | null; Warnings: string[] | null }>(
      'GET',
      enginePath(ctx, '/volumes', q),
    ),
  );
  const failed = answers.find((a) => a.error !== undefined);
  if (failed && answers.every((a) => a.value === undefined)) throw failed.error;
  const volumes: VolumeJson[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  for (const a of answers) {
    for (const v of a.value?.Volumes ?? []) {
      const shown = displayVolume(v, a.node);
      if (seen.has(shown.Name)) continue;
      seen.add(shown.Name);
      volumes.push(shown);
    }
    warnings.push(...(a.value?.Warnings ?? []));
  }
  sendJson(ctx, { Volumes: volumes, Warnings: warnings.length ? warnings : null });
}

async function holders(ctx: RequestContext, ref: string): Promise<{ node: ApiNode; vol: VolumeJson }[]> {
  const { node, name } = nodePrefixed(ctx.deps.cluster, ref);
  const nodes = node ? [node] : healthyNodes(ctx.deps.cluster);
  const answers = await fanout(nodes, (n) =>
    getIfExists<VolumeJson>(n, `/volumes/${encodeURIComponent(name)}`),
  );
  const hits: { node: ApiNode; volume: VolumeJson }[] = [];
  for (const a of answers) if (a.value !== undefined) hits.push({ node: a.node, volume: a.value });
  return findVolumes(hits, name).map((h) => ({ node: h.node, vol: h.volume }));
}

async function inspect(ctx: RequestContext): Promise<void> {
  const ref = (ctx.params['*'] ?? '').replace(/\/+$/, '');
  const found = await holders(ctx, ref);
  const first = found[0];
  if (!first) throw new NoSuchVolumeError(ref);
  // as Swarm and the engine answer: the engine's own JSON, its plain Name included
  sendJson(ctx, first.vol);
}

async function create(ctx: RequestContext): Promise<void> {
  requireJsonContentType(ctx.req);
  const body = await readJsonObject(ctx.req);
  const { node, name } = nodePrefixed(ctx.deps.cluster, String(body.Name ?? ''));
  // `other-node/x` for a node that does not exist: Swarm's scheduler refuses it (node==other-node)
  if (!node) await requireKnownPrefix(ctx.deps.cluster, name);
  const volName = name || randomBytes(32).toString('hex');
  const healthy = healthyNodes(ctx.deps.cluster);
  if (!node && healthy.length === 0) throw new NoHealthyNodeError();
  const targets = node ? [node] : volumeTargets(healthy, body.Labels as Record<string, unknown> | undefined);
  const answers = await fanout(targets, (n) =>
    healthyClient(n).json<VolumeJson>('POST', enginePath(ctx, '/volumes/create'), { ...body, Name: volName }),
  );
  const ok = answers.find((a) => a.value !== undefined);
  if (!ok) throw answers[0]?.error;
  sendJson(ctx, ok.value, 201);
}

async function remove(ctx: RequestContext): Promise<void> {
  const ref = (ctx.params['*'] ?? '').replace(/\/+$/, '');
  const found = await holders(ctx, ref);
  if (found.length === 0) throw new SwarmNoSuchVolumeError(ref);
  const answers = await Promise.allSettled(
    found.map((h) =>
      h.node.client.json('DELETE', enginePath(ctx, `/volumes/${encodeURIComponent(h.vol.Name)}`)),
    ),
  );
  const failed = answers.find((a) => a.status === 'rejected');
  if (failed) throw failed.reason;
  ctx.res.writeHead(204);
  ctx.res.end();
}

/**
 * Volume routes (docs/behaviour/lookup.md#volumes): list as `node/name`, create fanned out or on `node/`, rm
 * on every holder.
 */
export function volumeRoutes(): Route[] {
  return [
    { method: 'GET', path: '/volumes', handler: list },
    { method: 'POST', path: '/volumes/create', handler: create },
    { method: 'GET', path: '/volumes/*', handler: inspect },
    { method: 'DELETE', path: '/volumes/*', handler: remove },
  ];
}
