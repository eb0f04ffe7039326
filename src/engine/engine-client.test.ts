import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestTls, testTls } from '../testkit/tls.js';
import { describeNetError, EngineClient, engineMessage, splitAddr } from './engine-client.js';
import { EngineGoneError, EngineRequestError, EngineUnreachableError } from './errors.js';

// A loopback HTTP server standing in for the engine's HTTP framing only (the engine itself is covered by the
// cluster integration test).
let server: Server;
const hanging: import('node:http').ServerResponse[] = [];
let addr = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/_ping') {
      res.end('OK');
    } else if (req.url?.startsWith('/echo')) {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ url: req.url, method: req.method, body, ct: req.headers['content-type'] }));
      });
    } else if (req.url === '/missing') {
      res.statusCode = 404;
      res.setHeader('content-type', 'application/json');
      res.end('{"message":"No such container: nope"}\n');
    } else if (req.url === '/empty') {
      res.statusCode = 204;
      res.end();
    } else if (req.url === '/hang') {
      res.writeHead(200);
      res.flushHeaders();
      hanging.push(res);
    } else if (req.url === '/split-json') {
      // one JSON answer in three writes, cutting a two-byte UTF-8 character in half
      const bytes = Buffer.from(JSON.stringify({ name: 'café', pad: 'x'.repeat(5000) }));
      const cut = bytes.indexOf(0xc3) + 1;
      res.setHeader('content-type', 'application/json');
      res.write(bytes.subarray(0, cut));
      setTimeout(() => {
        res.write(bytes.subarray(cut, cut + 100));
        setTimeout(() => res.end(bytes.subarray(cut + 100)), 5);
      }, 5);
    } else if (req.url === '/stream') {
      res.write('{"a":1}\n');
      setTimeout(() => res.end('{"b":2}\n'), 20);
    } else {
      res.statusCode = 500;
      res.end('plain failure');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  addr = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const r of hanging) r.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

describe('EngineClient', () => {
  it('sends JSON and parses the answer, with query parameters', async () => {
    const c = new EngineClient({ addr });
    const got = await c.json<{ url: string; method: string; body: string; ct: string }>(
      'POST',
      '/echo',
      { Image: 'bb' },
      { query: { name: 'web', skip: undefined, all: 1 } },
    );
    expect(got).toEqual({
      url: '/echo?name=web&all=1',
      method: 'POST',
      body: '{"Image":"bb"}',
      ct: 'application/json',
    });
    await c.close();
  });

  it('converts error statuses into EngineRequestError with the engine message and status', async () => {
    const c = new EngineClient({ addr });
    const err = await c.json('GET', '/missing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineRequestError);
    expect((err as EngineRequestError).status).toBe(404);
    expect((err as EngineRequestError).httpStatus).toBe(404);
    expect((err as Error).message).toBe('No such container: nope');
    await expect(c.json('GET', '/other')).rejects.toThrow('plain failure');
    expect(await c.json('DELETE', '/empty')).toBeUndefined();
    await c.close();
  });

  it('returns raw responses for proxying and streams bodies', async () => {
    const c = new EngineClient({ addr });
    const res = await c.request('GET', '/missing');
    expect(res.statusCode).toBe(404);
    expect(await res.body.text()).toContain('No such container');
    const body = await c.stream('GET', '/stream');
    expect(await body.text()).toBe('{"a":1}\n{"b":2}\n');
    await c.close();
  });

  it('reports unreachable engines as retryable errors and tells the observer', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const outcomes: string[] = [];
    const c = new EngineClient({
      addr: `127.0.0.1:${port}`,
      observer: { success: () => outcomes.push('ok'), failure: (e) => outcomes.push(e.code) },
    });
    const err = await c.json('GET', '/_ping').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineUnreachableError);
    expect((err as EngineUnreachableError).retryable).toBe(true);
    expect((err as Error).message).toBe(
      `Cannot connect to the Docker engine endpoint: dial tcp 127.0.0.1:${port}: connect: connection refused`,
    );
    expect(outcomes).toEqual(['ENGINE_UNREACHABLE']);
    await c.close();
    const good = new EngineClient({
      addr,
      observer: { success: () => outcomes.push('ok'), failure: () => undefined },
    });
    await good.json('GET', '/missing').catch(() => undefined);
    expect(outcomes).toEqual(['ENGINE_UNREACHABLE', 'ok']);
    await good.close();
  });

  it('joins a JSON answer that arrives in pieces, even inside a character', async () => {
    const c = new EngineClient({ addr });
    try {
      const body = await c.json<{ name: string; pad: string }>('GET', '/split-json');
      expect(body.name).toBe('café');
      expect(body.pad).toHaveLength(5000);
    } finally {
      await c.close();
    }
  });

  it('stops a JSON call when its signal aborts, without counting an engine failure', async () => {
    const failures: string[] = [];
    const c = new EngineClient({
      addr,
      observer: { success: () => undefined, failure: (e) => failures.push(e.message) },
    });
    try {
      const ac = new AbortController();
      const call = c.json('GET', '/hang', undefined, { signal: ac.signal });
      setTimeout(() => ac.abort(), 30);
      await expect(call).rejects.toBeInstanceOf(EngineUnreachableError);
      const pre = new AbortController();
      pre.abort();
      await expect(c.json('GET', '/_ping', undefined, { signal: pre.signal })).rejects.toBeInstanceOf(
        EngineUnreachableError,
      );
      expect(failures).toEqual([]);
      // the client is still usable afterwards
      expect(await c.json('GET', '/echo')).toMatchObject({ method: 'GET' });
    } finally {
      await c.close();
    }
  });

  it('never queues short calls behind long-lived streams', async () => {
    const c = new EngineClient({ addr, connections: 1 });
    const streams = await Promise.all([1, 2, 3].map(() => c.request('GET', '/hang', { stream: true })));
    expect(streams.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    await expect(c.json('GET', '/missing')).rejects.toThrow('No such container: nope');
    for (const r of streams) r.body.destroy();
    await c.close();
  });

  it('sends an own stream over a connection of its own and closes it with the body', async () => {
    const conns = new Set<import('node:net').Socket>();
    const track = (sock: import('node:net').Socket) => {
      conns.add(sock);
      sock.once('close', () => conns.delete(sock));
    };
    server.on('connection', track);
    const c = new EngineClient({ addr, connections: 1 });
    try {
      await c.json('GET', '/echo'); // the short-call pool's one connection, kept alive
      expect(conns.size).toBe(1);
      const own = await c.stream('GET', '/hang', { own: true });
      expect(conns.size).toBe(2);
      // a short call is not queued behind it, and uses the pool's connection again
      expect(await c.json('GET', '/echo')).toMatchObject({ method: 'GET' });
      expect(conns.size).toBe(2);
      own.destroy();
      await until('the own connection to close', () => conns.size === 1);
      // one ending by itself closes its connection too
      const text = await (await c.stream('GET', '/stream', { own: true })).text();
      expect(text).toBe('{"a":1}\n{"b":2}\n');
      await until('the second own connection to close', () => conns.size === 1);
      // close() resets one still open
      await c.stream('GET', '/hang', { own: true });
      expect(conns.size).toBe(2);
      await c.close();
      await until('every connection to close', () => conns.size === 0);
    } finally {
      server.off('connection', track);
      await c.close();
    }
  });

  it("answers Swarm's `Engine no longer exists` once closed, without counting a failure", async () => {
    const failures: unknown[] = [];
    const c = new EngineClient({
      addr,
      observer: { success: () => undefined, failure: (e: unknown) => failures.push(e) },
    });
    expect(await c.json('GET', '/echo')).toMatchObject({ method: 'GET' });
    await c.close();
    for (const call of [
      () => c.json('GET', '/echo'),
      () => c.request('POST', '/echo'),
      () => c.stream('GET', '/hang'),
    ]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EngineGoneError);
      expect([(err as Error).message, (err as EngineGoneError).httpStatus]).toEqual([
        'Engine no longer exists',
        500,
      ]);
    }
    expect(failures).toEqual([]);
  });

  it('gives raw connect options for hijacking', () => {
    const plain = new EngineClient({ addr: '10.1.2.3:2375' });
    expect(plain.rawConnectOptions()).toEqual({ host: '10.1.2.3', port: 2375 });
    const tls = new EngineClient({
      addr: '10.1.2.3:2376',
      tls: { ca: 'CA', cert: 'C', key: 'K', verify: true },
    });
    expect(tls.rawConnectOptions().tls).toMatchObject({
      ca: 'CA',
      cert: 'C',
      key: 'K',
      rejectUnauthorized: true,
    });
  });
});

describe('helpers', () => {
  it.each([
    ['10.0.0.1:2376', '10.0.0.1', 2376],
    ['[::1]:2375', '::1', 2375],
    ['node-1:2376', 'node-1', 2376],
  ])('splitAddr %s', (a, host, port) => {
    expect(splitAddr(a)).toEqual({ host, port });
  });

  it('extracts engine messages', () => {
    expect(engineMessage('{"message":"boom"}', 500)).toBe('boom');
    expect(engineMessage('page not found\n', 404)).toBe('page not found');
    expect(engineMessage('', 502)).toBe('engine answered HTTP 502');
  });

  it.each([
    [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'x509: cannot validate certificate for 1.2.3.4 because it is not among its SANs',
    ],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'x509: certificate signed by unknown authority'],
    ['ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'allow clientAuth'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'the engine does not speak TLS'],
  ])('explains TLS failure %s', (code, text) => {
    expect(describeNetError('1.2.3.4:2376', Object.assign(new Error('x'), { code }))).toContain(text);
  });

  it('reports TLS against a plain-HTTP engine clearly', async () => {
    const c = new EngineClient({ addr, tls: { cert: '', key: '', verify: false } });
    await expect(c.json('GET', '/_ping')).rejects.toThrow(/does not speak TLS/);
    await c.close();
  });

  it('describes timeouts like Go', () => {
    const e = Object.assign(new Error('x'), { code: 'UND_ERR_CONNECT_TIMEOUT' });
    expect(describeNetError('1.2.3.4:2376', e)).toBe(
      'Cannot connect to the Docker engine endpoint: dial tcp 1.2.3.4:2376: i/o timeout',
    );
  });
});

describe('EngineClient reset retry', () => {
  it('sends a GET again once when the socket is reset before an answer, without counting a failure', async () => {
    const { createServer: netServer } = await import('node:net');
    let conns = 0;
    const raw = netServer((sock) => {
      conns++;
      const first = conns === 1;
      sock.once('data', () => {
        if (first) sock.destroy();
        else
          sock.end(
            'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}',
          );
      });
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    const failures: string[] = [];
    const c = new EngineClient({
      addr: `127.0.0.1:${(raw.address() as AddressInfo).port}`,
      observer: { success: () => undefined, failure: (e) => failures.push(e.message) },
    });
    try {
      expect(await c.json('GET', '/info')).toEqual({});
      expect(conns).toBe(2);
      expect(failures).toEqual([]);
      // a POST is never re-sent
      conns = 0;
      await expect(c.json('POST', '/containers/create', {})).rejects.toBeInstanceOf(EngineUnreachableError);
      expect(conns).toBe(1);
      expect(failures).toHaveLength(1);
    } finally {
      await c.close();
      await new Promise((r) => raw.close(r));
    }
  });
});

describe('EngineClient close', () => {
  /**
   * An engine that takes a request and never answers, noting how each connection ended on its side: `FIN` for a
   * close (the client's kernel would still deliver anything queued before it), or the error of a reset.
   */
  async function silentEngine(tls?: TestTls) {
    const { createServer: netServer } = await import('node:net');
    const { createServer: tlsServer } = await import('node:tls');
    const ends: string[] = [];
    let requests = 0;
    const onConn = (sock: import('node:net').Socket): void => {
      sock.on('data', () => requests++);
      sock.on('end', () => ends.push('FIN'));
      sock.on('error', (e: NodeJS.ErrnoException) => ends.push(e.code ?? e.message));
    };
    const server = tls
      ? tlsServer({ ca: tls.ca, cert: tls.server.cert, key: tls.server.key, requestCert: true }, onConn)
      : netServer(onConn);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return {
      addr: `127.0.0.1:${(server.address() as AddressInfo).port}`,
      ends,
      requests: () => requests,
      close: () => new Promise((r) => server.close(r)),
    };
  }

  for (const secure of [false, true]) {
    it(`resets its connections${secure ? ' under TLS' : ''}, so a request in flight cannot act after its caller heard it failed`, async () => {
      const tls = secure ? await testTls() : undefined;
      const engine = await silentEngine(tls);
      const c = new EngineClient({
        addr: engine.addr,
        ...(tls ? { tls: { ca: tls.ca, cert: tls.client.cert, key: tls.client.key, verify: true } } : {}),
      });
      try {
        const pending = c.json('DELETE', '/containers/x').catch((e: unknown) => e);
        await until('the request', () => engine.requests() > 0);
        await c.close();
        expect(await pending).toBeInstanceOf(EngineUnreachableError);
        await until('the connection to end', () => engine.ends.length > 0);
        expect(engine.ends).toEqual(['ECONNRESET']);
      } finally {
        await c.close();
        await engine.close();
      }
    });
  }
});
