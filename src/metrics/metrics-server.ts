import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidArgumentError } from '../util/errors.js';
import type { MetricsRegistry } from './metrics-registry.js';

/** The path metrics are served on, on the API port and on `--metrics-addr`. */
export const METRICS_PATH = '/metrics';

/** True for `GET /metrics` or `HEAD /metrics` (any query). */
export function isMetricsRequest(method: string | undefined, url: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const u = url ?? '/';
  const q = u.indexOf('?');
  return (q < 0 ? u : u.slice(0, q)).replace(/\/+$/, '') === METRICS_PATH;
}

/** Answers one scrape with the registry's exposition text (500 with a JSON message if collecting fails). */
export function serveMetrics(registry: MetricsRegistry, req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  registry.text().then(
    (text) => {
      res.writeHead(200, { 'Content-Type': registry.contentType, 'Content-Length': Buffer.byteLength(text) });
      res.end(req.method === 'HEAD' ? undefined : text);
    },
    (err: unknown) => {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(`${JSON.stringify({ message: `cannot collect metrics: ${(err as Error).message}` })}\n`);
    },
  );
}

/**
 * Parses `--metrics-addr HOST:PORT` (`[::1]:9323`, `:9323` = all interfaces), dockerd's flag.
 * @throws InvalidArgumentError on anything else.
 */
export function parseMetricsAddr(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(text.trim());
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError(`invalid --metrics-addr "${text}": want HOST:PORT`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/**
 * The optional plain-HTTP metrics listener (`--metrics-addr`): `GET /metrics` only, 404 JSON for anything else.
 * Resolves once bound; `close()` stops it.
 */
export async function startMetricsServer(
  registry: MetricsRegistry,
  addr: string,
): Promise<{ readonly address: string; close(): Promise<void> }> {
  const { host, port } = parseMetricsAddr(addr);
  const server = http.createServer((req, res) => {
    if (isMetricsRequest(req.method, req.url)) {
      serveMetrics(registry, req, res);
      return;
    }
    req.resume();
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(`${JSON.stringify({ message: 'page not found' })}\n`);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return {
    address: `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
