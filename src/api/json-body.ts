import type { IncomingMessage } from 'node:http';
import { MalformedJsonError } from './errors.js';
import { MAX_JSON_BODY_BYTES, readBody } from './proxy.js';

/**
 * Reads a JSON object body of at most `limit` bytes (413 above it). An empty body is `{}`; anything that is not a
 * JSON object is a 400, worded like the Engine's decoder errors.
 */
export async function readJsonObject(
  req: IncomingMessage,
  limit = MAX_JSON_BODY_BYTES,
): Promise<Record<string, unknown>> {
  const text = await readBody(req, limit);
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new MalformedJsonError(`invalid character in JSON body: ${(err as Error).message}`, { cause: err });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MalformedJsonError('json: cannot unmarshal body into an object');
  }
  return value as Record<string, unknown>;
}
