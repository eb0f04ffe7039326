import type { IncomingMessage } from 'node:http';
import { UnsupportedContentTypeError } from './errors.js';
import { hasBody } from './proxy.js';

/** RFC 7230 `token`. */
const TOKEN_SRC = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const TOKEN = new RegExp(`^${TOKEN_SRC}$`);
/** One `; name=value` parameter at the start of the text; the value is a token or a quoted string. */
const PARAM = new RegExp(`^;\\s*${TOKEN_SRC}\\s*=\\s*(?:${TOKEN_SRC}|"(?:[^"\\\\]|\\\\.)*")`);

/**
 * The media type of a `Content-Type` value, lower-cased, or undefined when the value does not parse: a `type/subtype`
 * of tokens, then `; name=value` parameters whose value is a token or a quoted string (a trailing `;` is allowed).
 * The same rules as the Engine's parser, so that both accept and refuse the same headers.
 */
export function mediaType(value: string): string | undefined {
  const semi = value.indexOf(';');
  const type = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  const slash = type.indexOf('/');
  if (slash < 0 || !TOKEN.test(type.slice(0, slash)) || !TOKEN.test(type.slice(slash + 1))) return undefined;
  let rest = semi < 0 ? '' : value.slice(semi);
  while (rest.trim() !== '') {
    rest = rest.trimStart();
    if (rest.trim() === ';') break;
    const param = PARAM.exec(rest);
    if (!param) return undefined;
    rest = rest.slice(param[0].length);
  }
  return type;
}

/**
 * The Engine's check of a JSON body's `Content-Type`, made before the body is read on the routes where the manager
 * decodes the body itself and then calls engines with its own `application/json` (container and exec create, network
 * create, connect and disconnect, volume create): no header is fine only when there is no body; otherwise the media
 * type must be `application/json` (parameters such as `charset` allowed).
 * @throws UnsupportedContentTypeError (400): "Content-Type specified (X) must be 'application/json'".
 */
export function requireJsonContentType(req: IncomingMessage): void {
  const ct = req.headers['content-type'] ?? '';
  if (ct === '' && !hasBody(req)) return;
  if (mediaType(ct) === 'application/json') return;
  throw new UnsupportedContentTypeError(ct);
}
