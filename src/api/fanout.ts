import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import type { ApiNode } from './cluster-port.js';
import { forwardHeaders } from './proxy.js';

/** One node's answer in a fan-out. */
export interface NodeAnswer<T> {
  readonly node: ApiNode;
  readonly value?: T;
  readonly error?: unknown;
}

/** Runs `fn` on every node at once and collects each answer or error (never rejects). */
export async function fanout<T>(
  nodes: readonly ApiNode[],
  fn: (n: ApiNode) => Promise<T>,
): Promise<NodeAnswer<T>[]> {
  const settled = await Promise.allSettled(nodes.map(fn));
  return settled.map((s, i) =>
    s.status === 'fulfilled'
      ? { node: nodes[i] as ApiNode, value: s.value }
      : { node: nodes[i] as ApiNode, error: s.reason },
  );
}

/** GETs `path` on a node and returns the parsed JSON, or undefined on 404. */
export async function getIfExists<T>(node: ApiNode, path: string): Promise<T | undefined> {
  const r = await node.client.request('GET', path);
  const text = await r.body.text();
  if (r.statusCode === 404) return undefined;
  if (r.statusCode >= 400) return undefined;
  return JSON.parse(text) as T;
}

/**
 * Sends the client's request body to every node at once (a multi-writer tee; the slowest node sets the pace) and
 * returns each node's status and full answer text. Used for `docker load` and `docker import`
 * (docs/behaviour/api.md#images).
 */
export async function teeBody(
  req: IncomingMessage,
  nodes: readonly ApiNode[],
  path: string,
): Promise<NodeAnswer<{ status: number; text: string }>[]> {
  const branches = nodes.map(() => new PassThrough({ highWaterMark: 1 << 20 }));
  const headers = forwardHeaders(req.headers);
  delete headers['content-length'];
  const answers = fanout(nodes, async (n) => {
    const i = nodes.indexOf(n);
    const r = await n.client.request(req.method ?? 'POST', path, {
      headers,
      body: branches[i],
      stream: true,
    });
    return { status: r.statusCode, text: await r.body.text() };
  });
  let waiting = 0;
  req.on('data', (chunk: Buffer) => {
    for (const b of branches) {
      if (!b.write(chunk)) {
        waiting++;
        req.pause();
        b.once('drain', () => {
          if (--waiting === 0) req.resume();
        });
      }
    }
  });
  req.on('end', () => {
    for (const b of branches) b.end();
  });
  req.on('error', (err) => {
    for (const b of branches) b.destroy(err);
  });
  return answers;
}
