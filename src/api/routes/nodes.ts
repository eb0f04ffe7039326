import { NoSuchNodeError } from '../../cluster/errors.js';
import { InvalidArgumentError, UnavailableError } from '../../util/errors.js';
import type { ApiNode } from '../cluster-port.js';
import type { ApiAvailability, ApiNodeControl, RequestContext, Route } from '../context.js';
import { readJsonObject } from '../json-body.js';
import { sendJson } from '../proxy.js';

const AVAILABILITIES: readonly ApiAvailability[] = ['active', 'pause', 'drain'];

function control(ctx: RequestContext): ApiNodeControl {
  const c = ctx.deps.nodeControl;
  if (!c) throw new UnavailableError('node availability is not served by this manager');
  return c;
}

/** Validated nodes (those with an engine ID). */
function known(ctx: RequestContext): ApiNode[] {
  return ctx.deps.cluster.nodes().filter((n) => n.id !== '');
}

/** A node by engine ID, name, or unique ID prefix; throws {@link NoSuchNodeError} (404). */
export function resolveNode(nodes: readonly ApiNode[], ref: string): ApiNode {
  const exact = nodes.find((n) => n.id === ref) ?? nodes.find((n) => n.name === ref);
  if (exact) return exact;
  const prefixed = nodes.filter((n) => ref !== '' && n.id.startsWith(ref));
  if (prefixed.length === 1) return prefixed[0]!;
  throw new NoSuchNodeError(ref);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * A node in the shape of the Swarm-mode node API, as the docker CLI reads it (`node ls`, `node inspect`,
 * `node update`): every shoal node is a worker; `Status.State` is `ready` for a healthy engine, `down` for an
 * unhealthy one, `unknown` otherwise; engine labels are under `Description.Engine.Labels`.
 */
export function swarmModeNode(n: ApiNode, c: ApiNodeControl): Record<string, unknown> {
  const s = c.state(n.id);
  const updated = s.updatedAt || n.updatedAt || Date.now();
  return {
    ID: n.id,
    Version: { Index: s.version },
    CreatedAt: iso(n.updatedAt || updated),
    UpdatedAt: iso(updated),
    Spec: { Labels: {}, Role: 'worker', Availability: s.availability },
    Description: {
      Hostname: n.name,
      Platform: { Architecture: process.arch === 'x64' ? 'x86_64' : process.arch, OS: 'linux' },
      Resources: { NanoCPUs: Math.round(n.totalCpus * 1e9), MemoryBytes: n.totalMemory },
      Engine: { EngineVersion: n.serverVersion, Labels: { ...n.labels } },
    },
    Status: {
      State: n.state === 'healthy' ? 'ready' : n.state === 'unhealthy' ? 'down' : 'unknown',
      ...(n.error ? { Message: n.error } : {}),
      Addr: n.ip,
    },
  };
}

async function list(ctx: RequestContext): Promise<void> {
  const c = control(ctx);
  sendJson(
    ctx,
    known(ctx).map((n) => swarmModeNode(n, c)),
  );
}

async function inspect(ctx: RequestContext): Promise<void> {
  const c = control(ctx);
  sendJson(ctx, swarmModeNode(resolveNode(known(ctx), ctx.params.id ?? ''), c));
}

async function update(ctx: RequestContext): Promise<void> {
  const c = control(ctx);
  const node = resolveNode(known(ctx), ctx.params.id ?? '');
  const rawVersion = ctx.query.get('version');
  const version = rawVersion === null ? undefined : Number(rawVersion);
  if (version !== undefined && !(Number.isInteger(version) && version >= 0))
    throw new InvalidArgumentError(`invalid node version ${JSON.stringify(rawVersion)}`);
  const spec = await readJsonObject(ctx.req);
  const availability = spec.Availability === undefined ? 'active' : spec.Availability;
  if (typeof availability !== 'string' || !AVAILABILITIES.includes(availability as ApiAvailability)) {
    throw new InvalidArgumentError(
      `invalid availability ${JSON.stringify(availability)} (valid: ${AVAILABILITIES.join(', ')})`,
    );
  }
  if (spec.Role !== undefined && spec.Role !== '' && spec.Role !== 'worker')
    throw new InvalidArgumentError('shoal nodes are workers: the role cannot be changed');
  const labels = spec.Labels as Record<string, unknown> | null | undefined;
  if (labels && Object.keys(labels).length > 0) {
    throw new InvalidArgumentError(
      'node labels are engine labels in shoal (--engine-label): they cannot be changed here',
    );
  }
  await c.setAvailability(node.id, availability as ApiAvailability, version);
  ctx.res.writeHead(200, { 'Content-Length': 0 });
  ctx.res.end();
}

/** shoal's own view: availability, state, drain progress and pending reschedules per node. */
async function shoalNodes(ctx: RequestContext): Promise<void> {
  const c = control(ctx);
  const pending = c.pending();
  sendJson(
    ctx,
    known(ctx).map((n) => ({
      ID: n.id,
      Name: n.name,
      Addr: n.addr,
      State: n.state,
      Availability: c.state(n.id).availability,
      Drain: c.drainStatus(n.id) ?? null,
      Pending: pending
        .filter((p) => p.node === n.name)
        .map((p) => ({ Name: p.name, Reason: p.reason, Attempts: p.attempts, NextAt: iso(p.nextAt) })),
    })),
  );
}

/** The Swarm-mode node endpoints the docker CLI uses, and shoal's node view. */
export function nodeRoutes(): Route[] {
  return [
    { method: 'GET', path: '/nodes', handler: list },
    { method: 'GET', path: '/nodes/:id', handler: inspect },
    { method: 'POST', path: '/nodes/:id/update', handler: update },
    { method: 'GET', path: '/shoal/v1/nodes', handler: shoalNodes },
  ];
}
