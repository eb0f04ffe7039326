/** An error answer from the dashboard server or a manager, with its status and the API's own message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

async function errorOf(res: Response, path: string): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  let message = text.trim() || res.statusText;
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? message;
  } catch {
    // not JSON: keep the text
  }
  return new ApiError(res.status, `${res.status} ${message}`, path);
}

/** GET (or another method) as JSON; throws {@link ApiError} with the API's message on a non-2xx answer. */
export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: {
      'X-Shoal-Dashboard': '1',
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw await errorOf(res, path);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const get = <T>(path: string): Promise<T> => call<T>('GET', path);

/** A GET as JSON, with the manager that answered it (the dashboard server names it in `X-Shoal-Manager`). */
export async function getVia<T>(path: string): Promise<{ value: T; via: string | null }> {
  const res = await fetch(path);
  if (!res.ok) throw await errorOf(res, path);
  return { value: (await res.json()) as T, via: res.headers.get('x-shoal-manager') };
}
export const post = <T>(path: string, body?: unknown): Promise<T> => call<T>('POST', path, body);

/**
 * Reads a streaming answer chunk by chunk until `signal` aborts or the stream ends; `onOpen` is called once the
 * answer's head came back fine (the stream is connected). Throws {@link ApiError} when the answer is an error.
 */
export async function stream(
  path: string,
  signal: AbortSignal,
  onChunk: (b: Uint8Array) => void,
  onOpen?: () => void,
): Promise<void> {
  const res = await fetch(path, { signal });
  if (!res.ok || !res.body) throw await errorOf(res, path);
  onOpen?.();
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    if (value) onChunk(value);
  }
}

/** Splits a stream of newline-separated JSON values (the manager's `/events`). */
export function jsonLines<T>(onValue: (v: T) => void): (b: Uint8Array) => void {
  const dec = new TextDecoder();
  let buf = '';
  return (b) => {
    buf += dec.decode(b, { stream: true });
    let i = buf.indexOf('\n');
    while (i >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (line) onValue(JSON.parse(line) as T);
      i = buf.indexOf('\n');
    }
  };
}

/**
 * Decodes the engine's multiplexed log stream (8-byte frame headers: stream, 0, 0, 0, size) into text lines; with
 * `tty`, the bytes are the text.
 */
export function logFrames(
  tty: boolean,
  onText: (text: string, stream: 'stdout' | 'stderr') => void,
): (b: Uint8Array) => void {
  const dec = new TextDecoder();
  let pending = new Uint8Array(0);
  return (b) => {
    if (tty) {
      onText(dec.decode(b, { stream: true }), 'stdout');
      return;
    }
    const all = new Uint8Array(pending.length + b.length);
    all.set(pending);
    all.set(b, pending.length);
    let at = 0;
    while (all.length - at >= 8) {
      const size = new DataView(all.buffer, all.byteOffset + at + 4, 4).getUint32(0);
      if (all.length - at - 8 < size) break;
      const kind = all[at] === 2 ? 'stderr' : 'stdout';
      onText(new TextDecoder().decode(all.subarray(at + 8, at + 8 + size)), kind);
      at += 8 + size;
    }
    pending = all.slice(at);
  };
}
