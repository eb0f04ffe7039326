import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ClusterError } from '../util/errors.js';

/** The status and message an error is rendered with. */
export interface RenderedError {
  readonly status: number;
  readonly message: string;
}

/**
 * Maps any thrown value to the Engine's status and message. The only place that picks statuses: every
 * {@link ClusterError} carries its `httpStatus` (engine errors carry the engine's own status); anything else is a
 * bug and renders as 500.
 */
export function renderError(err: unknown): RenderedError {
  if (err instanceof ClusterError) {
    const status = err.httpStatus >= 400 && err.httpStatus < 600 ? err.httpStatus : 500;
    return { status, message: err.message };
  }
  if (err instanceof Error) return { status: 500, message: err.message };
  return { status: 500, message: String(err) };
}

/** The Engine-style JSON body of an error answer: `{"message": ...}` and a newline. */
export function errorBody(message: string): string {
  return `${JSON.stringify({ message })}\n`;
}

/**
 * Writes `{"message": ...}` with the mapped status, or ends a response whose head was already sent. Every error
 * answer the API gives on a parsed request goes through here (routes, router, replica forwarding, discovery).
 */
export function sendError(res: ServerResponse, err: unknown): void {
  const { status, message } = renderError(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(message);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Answers on a raw socket (a failed upgrade or hijack, where no `ServerResponse` exists) with the same status and
 * body as {@link sendError}, then closes it. With `headOnly` (the answer to a `HEAD` request) the body is left out,
 * as HTTP requires: a client would read it as a second answer.
 */
export function writeSocketError(socket: Duplex, err: unknown, opts: { headOnly?: boolean } = {}): void {
  const { status, message } = renderError(err);
  const body = errorBody(message);
  if (socket.writableEnded || socket.destroyed) return;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${opts.headOnly ? '' : body}`,
  );
}
