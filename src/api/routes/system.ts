import { performance } from 'node:perf_hooks';
import { InvalidArgumentError } from '../../util/errors.js';
import { SHOAL_VERSION, serverVersion } from '../../version.js';
import type { ApiCluster } from '../cluster-port.js';
import type { RequestContext, Route } from '../context.js';
import { InfoRenderer } from '../info-body.js';
import { proxy, sendJson, sendJsonChunks } from '../proxy.js';
import { healthyClient } from '../refs.js';
import { API_VERSION, MIN_API_VERSION } from '../router.js';

async function ping(ctx: RequestContext): Promise<void> {
  ctx.res.writeHead(200, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': 2,
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
    'Docker-Experimental': String(ctx.deps.manager.experimental),
    OSType: 'linux',
  });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : 'OK');
}

async function version(ctx: RequestContext): Promise<void> {
  const m = ctx.deps.manager;
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const common = {
    Version: serverVersion(),
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: '',
    GoVersion: `node${process.versions.node}`,
    Os: process.platform,
    Arch: arch,
    KernelVersion: m.kernelVersion,
    Experimental: m.experimental,
    BuildTime: '',
  };
  const { Version, ...details } = common;
  sendJson(ctx, {
    Platform: { Name: 'shoal' },
    Components: [{ Name: 'Engine', Version, Details: stringValues(details) }],
    ...common,
  });
}

function stringValues(o: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
}

/** One renderer per cluster: it keeps each node's rendered `docker info` lines between calls. */
const renderers = new WeakMap<ApiCluster, InfoRenderer>();

async function info(ctx: RequestContext): Promise<void> {
  const cluster = ctx.deps.cluster;
  let renderer = renderers.get(cluster);
  if (!renderer) {
    renderer = new InfoRenderer();
    renderers.set(cluster, renderer);
  }
  const start = performance.now();
  const chunks = renderer.render(cluster, ctx.deps.manager, SHOAL_VERSION);
  ctx.res.setHeader('Server-Timing', `render;dur=${(performance.now() - start).toFixed(3)}`);
  sendJsonChunks(ctx, chunks);
}

/**
 * A `since`/`until` value (Unix seconds with an optional fraction, or a date) in ms; undefined when absent.
 * @throws InvalidArgumentError (400) for anything else, so a bad `until` never leaves an endless stream open.
 */
function parseTime(name: string, v: string | null): number | undefined {
  if (!v) return undefined;
  const n = Number(v);
  if (Number.isFinite(n)) return n * 1000;
  const t = Date.parse(v);
  if (Number.isFinite(t)) return t;
  throw new InvalidArgumentError(`invalid value for ${name}: "${v}" is not a timestamp`);
}

async function events(ctx: RequestContext): Promise<void> {
  const { res, deps } = ctx;
  parseTime('since', ctx.query.get('since'));
  const until = parseTime('until', ctx.query.get('until'));
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  deps.manager.eventListeners++;
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const unsubscribe = deps.cluster.subscribe((ev) => {
      const t = typeof ev.raw.timeNano === 'number' ? ev.raw.timeNano / 1e6 : Number(ev.raw.time ?? 0) * 1000;
      // ended from outside (the primary changed): 'close' follows and unsubscribes
      if (res.writableEnded || (until !== undefined && t > until)) return;
      res.write(`${JSON.stringify(ev.raw)}\n`);
    });
    const finish = () => {
      if (timer) clearTimeout(timer);
      unsubscribe();
      deps.manager.eventListeners--;
      resolve();
    };
    res.once('close', finish);
    if (until !== undefined) timer = setTimeout(() => res.end(), Math.max(0, until - Date.now()));
  });
}

async function auth(ctx: RequestContext): Promise<void> {
  await ctx.deps.cluster.place([], (node) => proxy(ctx, healthyClient(node)));
}

/**
 * System routes (docs/behaviour/api.md#system): `/_ping` (GET, HEAD), `/version`, `/info` (from the cache),
 * `/events`, `/auth`.
 */
export function systemRoutes(): Route[] {
  return [
    { method: 'GET', path: '/_ping', handler: ping },
    { method: 'HEAD', path: '/_ping', handler: ping },
    { method: 'GET', path: '/version', handler: version },
    { method: 'GET', path: '/info', handler: info },
    { method: 'GET', path: '/events', handler: events },
    { method: 'POST', path: '/auth', handler: auth },
  ];
}
