import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { sendError, writeSocketError } from './error-handler.js';
import { NoPrimaryError, PrimaryUnreachableError } from './errors.js';
import type { ApiHandler } from './server.js';

/** What the forwarder needs to know about the election. */
export interface ReplicaRole {
  role(): 'primary' | 'replica';
  /** The primary's `host:port`, or undefined. */
  primary(): string | undefined;
  /** Resolves with a primary address once one is known, or undefined after `timeoutMs`. */
  waitForPrimary(timeoutMs: number): Promise<string | undefined>;
  /** This manager's own advertised address (a known primary equal to it is served locally). */
  readonly advertise: string;
}

/** Options of {@link createReplicaHandler}. */
export interface ReplicaProxyOptions {
  /** Client TLS towards the primary (the manager's own certificate and CA); absent = plain TCP. */
  readonly tls?: {
    readonly ca: string | Buffer;
    readonly cert: string | Buffer;
    readonly key: string | Buffer;
  };
  /** How long a request waits for a primary to be known (default 5 s). */
  readonly waitMs?: number;
  /** Connect timeout towards the primary (default 3 s). */
  readonly connectTimeoutMs?: number;
}

const LOCAL = /^(?:\/v\d+\.\d+)?\/(?:_ping|info|debug(?:\/.*)?)(?:\?.*)?$/;

/** True when a replica answers `url` itself (`/_ping`, `/info`, `/debug/*`, with or without a version prefix). */
export function servedLocally(url: string): boolean {
  return LOCAL.test(url);
}

/** Rebuilds the request head as sent by the client, with `Connection: close` unless it is an upgrade. */
export function requestHead(req: IncomingMessage, upgrade: boolean): { head: string; chunked: boolean } {
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
  let chunked = false;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (!upgrade && (lower === 'connection' || lower === 'keep-alive' || lower === 'proxy-connection'))
      continue;
    if (lower === 'transfer-encoding' && /chunked/i.test(value)) chunked = true;
    lines.push(`${name}: ${value}`);
  }
  if (!upgrade) lines.push('Connection: close');
  return { head: `${lines.join('\r\n')}\r\n\r\n`, chunked };
}

function parseAddr(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  return { host: addr.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(addr.slice(i + 1)) };
}

/**
 * Wraps the manager's own handler for a replicated manager. While primary (or when the known primary is this
 * manager) every request is served locally. A replica serves `/_ping`, `/info` and `/debug/*` itself and forwards
 * everything else to the primary over a raw TCP (or TLS) connection: the request head and body go up as sent, and
 * the primary's bytes come back unparsed on the client's socket, so streams, attach and exec work unchanged.
 *
 * Never replays a request: the only retry happens when the connection to a primary could not be opened (nothing was
 * sent), after waiting for the primary to change. With no primary known within `waitMs`, the answer is 500
 * "No elected primary cluster manager".
 */
export function createReplicaHandler(
  local: ApiHandler,
  role: ReplicaRole,
  opts: ReplicaProxyOptions = {},
): ApiHandler {
  const waitMs = opts.waitMs ?? 5000;
  const connectTimeoutMs = opts.connectTimeoutMs ?? 3000;

  const isLocal = (url: string): boolean => role.role() === 'primary' || servedLocally(url);

  const connect = (addr: string): Promise<Duplex> =>
    new Promise((resolve, reject) => {
      const { host, port } = parseAddr(addr);
      const sock: net.Socket = opts.tls
        ? tls.connect({ host, port, ca: opts.tls.ca, cert: opts.tls.cert, key: opts.tls.key })
        : net.connect({ host, port, allowHalfOpen: true });
      (sock as net.Socket & { allowHalfOpen: boolean }).allowHalfOpen = true;
      const timer = setTimeout(
        () => sock.destroy(new Error(`connect timeout after ${connectTimeoutMs} ms`)),
        connectTimeoutMs,
      );
      sock.once(opts.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        resolve(sock);
      });
      sock.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });

  /** Opens a connection to the current primary, or says to serve locally (`'local'`). Retries only unsent. */
  const openPrimary = async (): Promise<Duplex | 'local'> => {
    const deadline = Date.now() + waitMs;
    let lastErr: Error | undefined;
    let tried: string | undefined;
    for (;;) {
      if (role.role() === 'primary') return 'local';
      const addr = role.primary() ?? (await role.waitForPrimary(Math.max(0, deadline - Date.now())));
      if (role.role() === 'primary') return 'local';
      if (!addr) {
        if (lastErr)
          throw new PrimaryUnreachableError(
            `Unable to reach primary cluster manager (${tried}): ${lastErr.message}`,
            { cause: lastErr },
          );
        throw new NoPrimaryError();
      }
      if (addr === role.advertise) return 'local';
      if (addr !== tried || Date.now() < deadline) {
        try {
          return await connect(addr);
        } catch (err) {
          lastErr = err as Error;
          tried = addr;
        }
      }
      if (Date.now() >= deadline) {
        throw new PrimaryUnreachableError(
          `Unable to reach primary cluster manager (${tried}): ${lastErr?.message}`,
          { cause: lastErr },
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  const forwardRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    req.pause();
    let up: Duplex | 'local';
    try {
      up = await openPrimary();
    } catch (err) {
      req.resume();
      sendError(res, err);
      return;
    }
    if (up === 'local') {
      req.resume();
      local.onRequest(req, res);
      return;
    }
    const upstream = up;
    const client = req.socket;
    const { head, chunked } = requestHead(req, false);
    upstream.write(head);
    req.on('data', (c: Buffer) => {
      if (chunked) upstream.write(`${c.length.toString(16)}\r\n`);
      upstream.write(c);
      if (chunked) upstream.write('\r\n');
    });
    req.on('end', () => {
      if (chunked) upstream.write('0\r\n\r\n');
    });
    req.resume();
    // The primary's answer goes back byte for byte; the client connection ends with it (Connection: close upstream).
    client.setTimeout(0);
    upstream.on('data', (c: Buffer) => {
      if (!client.write(c)) {
        upstream.pause();
        client.once('drain', () => upstream.resume());
      }
    });
    upstream.on('end', () => client.end());
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    res.on('close', () => upstream.destroy());
  };

  return {
    onRequest(req, res) {
      if (isLocal(req.url ?? '/')) {
        local.onRequest(req, res);
        return;
      }
      void forwardRequest(req, res);
    },
    onUpgrade(req, socket, head) {
      if (isLocal(req.url ?? '/')) {
        local.onUpgrade(req, socket, head);
        return;
      }
      (socket as Duplex & { allowHalfOpen: boolean }).allowHalfOpen = true;
      socket.pause();
      socket.on('error', () => socket.destroy());
      openPrimary().then(
        (up) => {
          if (up === 'local') {
            socket.resume();
            local.onUpgrade(req, socket, head);
            return;
          }
          up.write(requestHead(req, true).head);
          if (head.length) up.write(head);
          socket.pipe(up);
          up.pipe(socket);
          up.on('error', () => socket.destroy());
          socket.on('close', () => up.destroy());
          socket.resume();
        },
        (err: unknown) => writeSocketError(socket, err),
      );
    },
  };
}
