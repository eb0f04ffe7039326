import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendError } from './error-handler.js';
import { readJsonObject } from './json-body.js';

let server: http.Server;
let url = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    readJsonObject(req, 1024).then(
      (body) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      },
      (err: unknown) => sendError(res, err),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('readJsonObject', () => {
  it.each([
    ['an object', '{"a":1}', 200, { a: 1 }],
    ['empty', '', 200, {}],
    ['bad JSON', '{bad', 400, undefined],
    ['an array', '[1]', 400, { message: 'json: cannot unmarshal body into an object' }],
    ['a string', '"x"', 400, { message: 'json: cannot unmarshal body into an object' }],
    ['deep nesting', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, 413, undefined],
    [
      'over the limit',
      JSON.stringify({ pad: 'x'.repeat(2000) }),
      413,
      { message: 'request body is larger than 1024 bytes' },
    ],
  ])('%s', async (_name, body, status, json) => {
    const res = await fetch(url, { method: 'POST', body });
    expect(res.status).toBe(status);
    const answer = (await res.json()) as { message?: string };
    if (json) expect(answer).toEqual(json);
    if (status !== 200) expect(typeof answer.message).toBe('string');
  });

  it('answers 413 to a large streamed body without dropping the connection first', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = (size: number) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(url, { method: 'POST', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(Buffer.alloc(size, 0x20));
      });
    expect(await send(4 * 1024 * 1024)).toBe(413);
    expect(await send(10)).toBe(200);
    agent.destroy();
  });
});
