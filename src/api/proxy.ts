import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EngineClient } from '../engine/index.js';
import { InvalidArgumentError } from '../util/errors.js';
import type { RequestContext } from './context.js';
import { BodyTooLargeError } from './errors.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

/** Request headers worth forwarding to an engine (hop-by-hop ones dropped). */
export function forwardHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

/** Response headers from an engine worth passing back to the client. */
export function responseHeaders(headers: Record<string, string | string[] | undefined>): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || HOP_BY_HOP.has(k) || k === 'api-version' || k === 'server') continue;
    out[k] = v;
  }
  return out;
}

/** True when the client sent a request body (a length above zero or a chunked transfer). */
export function hasBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  if (len !== undefined) return Number(len) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/** Rebuilds the engine path for `rest` (`/containers/<id>/logs`), keeping the client's version prefix and query. */
export function enginePath(ctx: RequestContext, rest: string, query: URLSearchParams = ctx.query): string {
  const qs = query.toString();
  return `${ctx.version ? `/v${ctx.version}` : ''}${rest}${qs ? `?${qs}` : ''}`;
}

/** Options for {@link proxy}. */
export interface ProxyOptions {
  /** Engine path (default: the client's URL unchanged). */
  readonly path?: string;
  /** Body to send instead of the client's stream. */
  readonly body?: string | Buffer | null;
  /**
   * Runs after the engine answered and before the client sees the answer (cache refresh after stop, start,
   * rename...). The engine's body is buffered in that case; use it only for short answers.
   */
  readonly after?: (status: number) => Promise<void>;
  /** Runs once the answer was sent (errors ignored): cache refreshes that events would also bring. */
  readonly afterResponse?: () => Promise<void>;
  /**
   * Called before the request goes to the engine and again when the engine's answer arrives, before the client
   * sees any of it: forgets stored views of what the request changes.
   */
  readonly changes?: () => void;
}

/**
 * Forwards the client's request to one engine and streams the answer back unchanged (status, headers, body; no
 * parsing in between). No timeouts: logs follow, stats, wait and events may run for hours (deps G4).
 */
export async function proxy(
  ctx: RequestContext,
  client: EngineClient,
  opts: ProxyOptions = {},
): Promise<void> {
  const { req, res } = ctx;
  const method = req.method ?? 'GET';
  const body = opts.body !== undefined ? opts.body : hasBody(req) ? (req as unknown as Readable) : null;
  const headers = forwardHeaders(req.headers);
  if (opts.body !== undefined) {
    delete headers['transfer-encoding'];
    headers['content-length'] = String(opts.body ? Buffer.byteLength(opts.body) : 0);
  }
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.once('close', onClose);
  opts.changes?.();
  const up = await client
    .request(method, opts.path ?? req.url ?? '/', {
      headers,
      body,
      stream: true,
      signal: abort.signal,
    })
    .finally(() => opts.changes?.());
  if (opts.after) {
    const chunks: Buffer[] = [];
    for await (const c of up.body) chunks.push(Buffer.from(c));
    await opts.after(up.statusCode);
    const buf = Buffer.concat(chunks);
    const h = responseHeaders(up.headers);
    if (h['content-length'] !== undefined) h['content-length'] = buf.length;
    res.writeHead(up.statusCode, h);
    res.end(buf);
    return;
  }
  res.writeHead(up.statusCode, responseHeaders(up.headers));
  res.flushHeaders();
  try {
    await pipeline(up.body as unknown as Readable, res);
  } catch {
    // the client went away or the engine cut the stream; both ends are closed by pipeline
  } finally {
    res.off('close', onClose);
  }
  if (opts.afterResponse) await opts.afterResponse().catch(() => undefined);
}

/** Writes a JSON answer with `status` (200 by default). */
export function sendJson(ctx: RequestContext, value: unknown, status = 200): void {
  sendJsonText(ctx, JSON.stringify(value), status);
}

/** Sends JSON already serialised. */
export function sendJsonText(ctx: RequestContext, json: string, status = 200): void {
  ctx.res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(json),
  });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : json);
}

/** Sends a JSON body given as UTF-8 chunks (written in order, without joining them first). */
export function sendJsonChunks(ctx: RequestContext, chunks: readonly Buffer[], status = 200): void {
  let length = 0;
  for (const c of chunks) length += c.length;
  ctx.res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': length });
  if (ctx.req.method === 'HEAD') {
    ctx.res.end();
    return;
  }
  // corked: the chunks leave in one writev when end() flushes
  ctx.res.cork();
  for (const c of chunks) ctx.res.write(c);
  ctx.res.end();
}

/**
 * The largest JSON body the manager reads itself (container, network and volume create, network connect): 16 MiB.
 * Bodies streamed through to an engine (build contexts, image loads, archives) have no limit here.
 */
export const MAX_JSON_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Reads the whole client body as text, up to `limit` bytes. Above it, rejects at once with
 * {@link BodyTooLargeError} (413) and leaves the request flowing, so the rest is discarded and the connection
 * stays usable for the answer (a destroyed request would drop the socket before the client reads the 413).
 */
export function readBody(req: IncomingMessage, limit = MAX_JSON_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const onData = (c: Buffer): void => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.once('end', () => {
      req.off('data', onData);
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    const fail = (err?: Error): void => {
      if (!over && !req.complete)
        reject(
          new InvalidArgumentError(`cannot read request body: ${err?.message ?? 'closed'}`, { cause: err }),
        );
    };
    req.once('error', fail);
    req.once('close', () => fail());
  });
}
