import type { ServerResponse } from 'node:http';
import type Router from 'find-my-way';
import { MEMBERSHIP_PATH, type MembershipRegistry } from '../../discovery/embedded/index.js';
import { InvalidArgumentError, NotFoundError } from '../../util/errors.js';
import { sendError } from '../error-handler.js';
import { readJsonObject } from '../json-body.js';

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
 * Errors go through the API's one renderer (`sendError`): Engine-style `{"message": ...}` with the error's
 * `httpStatus`; a body above 4 KiB answers 413.
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
      const body = await readJsonObject(req, MAX_BODY);
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
      const addr = params.addr ?? '';
      if (!(await registry.deregister(addr))) throw new NotFoundError(`no such member: ${addr}`);
      res.writeHead(204).end();
    });
  });
}

async function handle(res: ServerResponse, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    sendError(res, err);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
