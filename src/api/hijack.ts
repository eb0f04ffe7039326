import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { EngineClient } from '../engine/index.js';
import { writeSocketError } from './error-handler.js';

/**
 * Rebuilds the client's request head for the engine: same method, `path` (name rewritten to ID), every raw header
 * except `Host`, which is set to the engine's address.
 */
export function rebuildRequestHead(req: IncomingMessage, path: string, engineAddr: string): string {
  let head = `${req.method ?? 'POST'} ${path} HTTP/1.1\r\nHost: ${engineAddr}\r\n`;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() === 'host') continue;
    head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  }
  return `${head}\r\n`;
}

/**
 * Joins a hijacked client socket to a raw connection to the engine: writes the rebuilt request and any bytes that
 * came with the upgrade, then pipes both ways at once (deps G6: piping before `connect` keeps early stdin bytes).
 * The client socket is made half-open so a stdin half-close (TLS close_notify) does not drop the engine's output
 * (deps G5); the engine's dockerd answers `101 UPGRADED` itself and that head passes through unchanged.
 */
export function spliceToEngine(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  client: EngineClient,
  path: string,
): void {
  const opts = client.rawConnectOptions();
  const upstream: net.Socket = opts.tls
    ? tls.connect({ ...opts.tls, host: opts.host, port: opts.port })
    : net.connect({ host: opts.host, port: opts.port, allowHalfOpen: true });
  upstream.allowHalfOpen = true;
  upstream.write(rebuildRequestHead(req, path, client.addr));
  if (head.length > 0) upstream.write(head);
  socket.pipe(upstream);
  upstream.pipe(socket);
  const done = () => {
    socket.destroy();
    upstream.destroy();
  };
  upstream.on('error', (err: Error) => {
    if (!socket.writableEnded && upstream.bytesRead === 0) writeSocketError(socket, err);
    done();
  });
  socket.on('error', done);
  upstream.on('close', () => socket.end());
  socket.on('close', () => upstream.destroy());
}
