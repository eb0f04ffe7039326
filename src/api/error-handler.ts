import type { ServerResponse } from 'node:http';
import { ClusterError } from '../errors.js';

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

/** Writes `{"message": ...}` with the mapped status, or ends a response whose head was already sent. */
export function sendError(res: ServerResponse, err: unknown): void {
  const { status, message } = renderError(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${JSON.stringify({ message })}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
