import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';

/** TLS material of the store's client certificate. */
export interface ClientTlsMaterial {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** One manager the dashboard knows. */
export interface ManagerEndpoint {
  readonly name: string;
  /** `host:port` of its API (TLS). */
  readonly addr: string;
}

/** Request headers never forwarded: hop-by-hop ones and those that name the dashboard itself. */
const DROP = new Set([
  'host',
  'connection',
  'keep-alive',
  'upgrade',
  'origin',
  'referer',
  'cookie',
  'x-shoal-dashboard',
]);

/**
 * Forwards one request to a manager over TLS with the store's client certificate, streaming both ways (event
 * streams and `logs --follow` stay open until either side closes; an answer cut upstream is cut towards the
 * browser too). A manager that cannot be reached gives 502 with a JSON message, unless `unreachable` (called with
 * the error before any answer came) returns true: the caller then answers the request itself.
 */
export function proxyToManager(
  target: ManagerEndpoint,
  tls: ClientTlsMaterial,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
  unreachable?: (err: Error) => boolean,
): void {
  const [host, port] = splitAddr(target.addr);
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !DROP.has(k)) headers[k] = v;
  let up: ReturnType<typeof https.request>;
  try {
    up = https.request(
      { host, port, method: req.method, path, headers, ca: tls.ca, cert: tls.cert, key: tls.key },
      (answer) => {
        const out: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(answer.headers))
          if (v !== undefined && k !== 'connection' && k !== 'keep-alive') out[k] = v;
        out['x-shoal-manager'] = target.name;
        res.writeHead(answer.statusCode ?? 502, out);
        res.flushHeaders();
        answer.pipe(res);
        // a stream cut upstream (the manager died or ended it mid-answer) is cut here too: ending it cleanly would
        // look like a complete answer, and leaving it open would hide the loss from the browser
        answer.on('close', () => {
          if (!answer.complete) res.destroy();
        });
      },
    );
  } catch (err) {
    // bad TLS material fails before any connection
    req.resume();
    res.writeHead(502, { 'Content-Type': 'application/json' });
    res.end(
      `${JSON.stringify({ message: `cannot reach manager ${target.name} (${target.addr}): ${(err as Error).message}` })}\n`,
    );
    return;
  }
  up.on('error', (err) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (unreachable?.(err)) return;
    res.writeHead(502, { 'Content-Type': 'application/json' });
    res.end(
      `${JSON.stringify({ message: `cannot reach manager ${target.name} (${target.addr}): ${err.message}` })}\n`,
    );
  });
  res.on('close', () => up.destroy());
  // a request without a body may be sent again to another manager: it is ended here rather than piped
  if (hasNoBody(req)) {
    req.resume();
    up.end();
  } else req.pipe(up);
}

/** A GET or HEAD: no body, safe to send to another manager when the first cannot be reached. */
export function hasNoBody(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}

/** A GET to a manager, parsed as JSON; rejects on a transport error, a timeout or a non-2xx status. */
export function managerGet<T>(
  target: ManagerEndpoint,
  tls: ClientTlsMaterial,
  path: string,
  timeoutMs = 3000,
): Promise<T> {
  const [host, port] = splitAddr(target.addr);
  return new Promise<T>((resolve, reject) => {
    const req = https.request(
      { host, port, method: 'GET', path, ca: tls.ca, cert: tls.cert, key: tls.key, timeout: timeoutMs },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (s: string) => {
          text += s;
        });
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 300) {
            reject(new Error(messageOf(text) ?? `status ${res.statusCode}`));
            return;
          }
          try {
            resolve(JSON.parse(text) as T);
          } catch (err) {
            reject(err as Error);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

function messageOf(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { message?: string }).message;
  } catch {
    return text.trim() || undefined;
  }
}

function splitAddr(addr: string): [string, number] {
  const i = addr.lastIndexOf(':');
  return [addr.slice(0, i).replace(/^\[|\]$/g, ''), Number(addr.slice(i + 1))];
}
