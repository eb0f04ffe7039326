import type { IncomingMessage, ServerResponse } from 'node:http';
import type Router from 'find-my-way';
import { MEMBERSHIP_PATH, type MembershipRegistry } from '../../discovery/embedded/index.js';
import { ClusterError, InvalidArgumentError } from '../../util/errors.js';

const MAX_BODY = 4096;

/**
 * Adds the membership routes of `shoal://` discovery (agents registering directly with the manager) to the API's
 * router:
 *
 * - `POST   /shoal/v1/discovery/nodes` body `{"Addr":"host:port","TTL":seconds}` → 204 (TTL optional: the
 *   manager's `--ttl`); 400 on a malformed body, address or TTL.
 * - `GET    /shoal/v1/discovery/nodes` → 200 `["host:port", ...]` (live members, sorted).
 * - `DELETE /shoal/v1/discovery/nodes/:addr` → 204, or 404 when not a member.
 *
 * Errors are Engine-style `{"message": ...}` with the error's `httpStatus`.
 */
export function addDiscoveryRoutes(
  router: Router.Instance<Router.HTTPVersion.V1>,
  registry: MembershipRegistry,
): void {
  router.on('GET', MEMBERSHIP_PATH, (_req, res) => {
    sendJson(res, 200, registry.list());
  });
  router.on('POST', MEMBERSHIP_PATH, (req, res) => {
    void handle(res, async () => {
      const body = await readJson(req);
      const addr = body.Addr;
      if (typeof addr !== 'string')
        throw new InvalidArgumentError('missing "Addr" (host:port) in request body');
      const ttl = body.TTL;
      if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isFinite(ttl))) {
        throw new InvalidArgumentError('"TTL" must be a number of seconds');
      }
      await registry.register(addr, ttl === undefined ? undefined : ttl * 1000);
      res.writeHead(204).end();
    });
  });
  router.on('DELETE', `${MEMBERSHIP_PATH}/:addr`, (_req, res, params) => {
    void handle(res, async () => {
      const addr = decodeURIComponent(params.addr ?? '');
      if (!(await registry.deregister(addr))) {
        sendJson(res, 404, { message: `no such member: ${addr}` });
        return;
      }
      res.writeHead(204).end();
    });
  });
}

async function handle(res: ServerResponse, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const status = err instanceof ClusterError ? err.httpStatus : 500;
    if (!res.headersSent) sendJson(res, status, { message: (err as Error).message });
    else res.destroy();
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new InvalidArgumentError('request body too large');
    chunks.push(chunk as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new InvalidArgumentError('malformed JSON in request body', { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError('request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}
