/** One HTTPS request with the store's client certificate, never throwing: failures come back as status 0. */
import https from 'node:https';

/** The TLS material of the store's client certificate. */
export interface ClientTlsFiles {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** Where a request goes: an engine (`:2376`) or a manager (`:3376`). */
export interface Target {
  readonly ip: string;
  readonly port: number;
}

/** An answer: HTTP status (0 when none came: refused, reset, timed out), body text, start and end times. */
export interface Answer {
  readonly status: number;
  readonly body: string;
  readonly start: number;
  readonly end: number;
  /** Why no status came. */
  readonly error?: string;
}

/**
 * Sends `method path` with an optional JSON body on a fresh connection (as the docker CLI does) and resolves with
 * the answer, or status 0 after `timeoutMs` or on a connection error.
 */
export function call(
  tls: ClientTlsFiles,
  to: Target,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 30_000,
): Promise<Answer> {
  const start = Date.now();
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: Omit<Answer, 'start' | 'end'>): void => {
      if (settled) return;
      settled = true;
      resolve({ ...a, start, end: Date.now() });
    };
    const req = https.request(
      {
        host: to.ip,
        port: to.port,
        method,
        path,
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        agent: false,
        headers: payload
          ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) }
          : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (text.length < 4_000_000) text += d;
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, body: text }));
        res.on('error', (e) => done({ status: 0, body: '', error: e.message }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => done({ status: 0, body: '', error: e.message }));
    req.end(payload);
  });
}

/** `call` for a JSON answer: the parsed body on 2xx, else throws with the status and message. */
export async function callJson<T>(
  tls: ClientTlsFiles,
  to: Target,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 10_000,
): Promise<T> {
  const a = await call(tls, to, method, path, body, timeoutMs);
  if (a.status < 200 || a.status >= 300) {
    throw new Error(
      `${method} ${to.ip}:${to.port}${path}: ${a.status || a.error} ${a.body.trim().slice(0, 300)}`,
    );
  }
  return (a.body ? JSON.parse(a.body) : undefined) as T;
}
