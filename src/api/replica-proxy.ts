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
const CLUSTER_STREAM = /^(?:\/v\d+\.\d+)?\/events(?:\?.*)?$/;

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

/**
 * True for a stream of the cluster's view (`/events`): it is only as good as the primary serving it, so it ends when
 * the primary changes.
 */
export function followsPrimary(url: string): boolean {
  return CLUSTER_STREAM.test(url);
}

/** The replica forwarder: the manager's handlers plus the hook the election calls on every role change. */
export interface ReplicaHandler extends ApiHandler {
  /**
   * Ends the open `/events` streams that no longer come from the primary: forwarded streams of a primary that is
   * no longer the one (once the new one is known), and this manager's own streams once it is no longer primary. Clients see
   * the stream end (a forwarded one is cut, a local one ends cleanly) and reconnect to the new primary. Call it on
   * `elected`, `lost` and `leader`; returns how many streams were ended.
   */
  primaryChanged(): number;
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
): ReplicaHandler {
  const waitMs = opts.waitMs ?? 5000;
  const connectTimeoutMs = opts.connectTimeoutMs ?? 3000;
  /** Open `/events` streams: the primary each one follows, and how to end it. */
  const streams = new Set<{ readonly primary: string; readonly end: () => void }>();
  /** The primary now, as streams compare it (undefined while the leader key is vacant). */
  const currentPrimary = (): string | undefined =>
    role.role() === 'primary' ? role.advertise : role.primary();
  const track = (url: string, primary: string, end: () => void, closed: NodeJS.EventEmitter): void => {
    if (!followsPrimary(url)) return;
    const s = { primary, end };
    streams.add(s);
    closed.once('close', () => streams.delete(s));
  };
  const serveLocal = (req: IncomingMessage, res: ServerResponse): void => {
    track(req.url ?? '/', role.advertise, () => res.end(), res);
    local.onRequest(req, res);
  };

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
  const openPrimary = async (): Promise<{ sock: Duplex; primary: string } | 'local'> => {
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
          return { sock: await connect(addr), primary: addr };
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
    let up: { sock: Duplex; primary: string } | 'local';
    try {
      up = await openPrimary();
    } catch (err) {
      req.resume();
      sendError(res, err);
      return;
    }
    if (up === 'local') {
      req.resume();
      serveLocal(req, res);
      return;
    }
    const upstream = up.sock;
    const client = req.socket;
    track(req.url ?? '/', up.primary, () => client.destroy(), res);
    const now = currentPrimary();
    if (followsPrimary(req.url ?? '/') && now !== undefined && now !== up.primary) {
      // the primary changed while the connection was being opened: nothing was sent yet
      upstream.destroy();
      client.destroy();
      return;
    }
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
    primaryChanged() {
      const current = currentPrimary();
      const primaryHere = role.role() === 'primary';
      let ended = 0;
      for (const s of [...streams]) {
        // this manager's own streams end as soon as it is not primary; forwarded ones once another primary is known
        const stale =
          s.primary === role.advertise ? !primaryHere : current !== undefined && s.primary !== current;
        if (!stale) continue;
        streams.delete(s);
        s.end();
        ended++;
      }
      return ended;
    },
    onRequest(req, res) {
      if (role.role() === 'primary') {
        serveLocal(req, res);
        return;
      }
      if (servedLocally(req.url ?? '/')) {
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
          const upstream = up.sock;
          upstream.write(requestHead(req, true).head);
          if (head.length) upstream.write(head);
          socket.pipe(upstream);
          upstream.pipe(socket);
          upstream.on('error', () => socket.destroy());
          socket.on('close', () => upstream.destroy());
          socket.resume();
        },
        (err: unknown) => writeSocketError(socket, err),
      );
    },
  };
}
