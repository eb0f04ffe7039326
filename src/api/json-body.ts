import type { IncomingMessage } from 'node:http';
import { MalformedJsonError } from './errors.js';
import { MAX_JSON_BODY_BYTES, readBody } from './proxy.js';

/** The deepest nesting of objects and arrays the manager accepts in a body (the Engine's decoder allows 10,000). */
export const MAX_JSON_DEPTH = 1000;

/** The deepest `{`/`[` nesting in JSON text, strings skipped; one linear pass, no recursion. */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

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
  if (nestingDepth(text) > MAX_JSON_DEPTH) throw new MalformedJsonError('json: exceeded max depth');
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
