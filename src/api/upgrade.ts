import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiDeps } from './context.js';
import { writeSocketError } from './error-handler.js';
import { NoSuchRouteError, SessionIdMissingError } from './errors.js';
import { spliceToEngine } from './hijack.js';
import { containerClient, decodePathRef, healthyClient, requireContainer } from './refs.js';
import { SESSION_HEADER } from './routes/build.js';
import { execNode } from './routes/exec.js';

const PREFIX = /^\/v(\d+\.\d+)(?=\/)/;
const ATTACH = /^\/containers\/(.+)\/attach(\/ws)?$/;
const EXEC_START = /^\/exec\/([^/]+)\/start$/;

/**
 * Serves `Upgrade: tcp` (and websocket attach) requests: `POST /containers/{id}/attach`,
 * `GET /containers/{id}/attach/ws`, `POST /exec/{id}/start`, spliced raw to the engine holding the container or
 * exec (docs/behaviour/api.md#streams). A `POST /session` without its `X-Docker-Expose-Session-Uuid` header gets
 * Swarm's 400 `no session ID provided`; anything else is answered 404 on the socket.
 */
export function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, deps: ApiDeps): void {
  (socket as Duplex & { allowHalfOpen: boolean }).allowHalfOpen = true;
  socket.pause();
  socket.on('error', () => socket.destroy());
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  let path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q);
  const m = PREFIX.exec(path);
  const prefix = m ? m[0] : '';
  path = path.slice(prefix.length);
  try {
    const attach = ATTACH.exec(path);
    if (attach && ((req.method === 'POST' && !attach[2]) || (req.method === 'GET' && attach[2]))) {
      const c = requireContainer(deps.cluster, decodePathRef(attach[1] as string));
      const client = containerClient(c);
      spliceToEngine(
        req,
        socket,
        head,
        client,
        `${prefix}/containers/${c.id}/attach${attach[2] ?? ''}${query}`,
      );
      return;
    }
    const exec = EXEC_START.exec(path);
    if (exec && req.method === 'POST') {
      const id = exec[1] as string;
      execNode(deps, id).then(
        (node) =>
          spliceToEngine(req, socket, head, healthyClient(node), `${prefix}/exec/${id}/start${query}`),
        (err: unknown) => writeSocketError(socket, err),
      );
      return;
    }
    // a BuildKit session without its ID: Swarm's 400 (sessions themselves are not forwarded)
    if (path === '/session' && req.method === 'POST' && !req.headers[SESSION_HEADER]) {
      throw new SessionIdMissingError();
    }
    throw new NoSuchRouteError();
  } catch (err) {
    writeSocketError(socket, err);
  }
}
