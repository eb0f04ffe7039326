import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createReplicaHandler, followsPrimary, type ReplicaRole, servedLocally } from './replica-proxy.js';
import type { ApiHandler } from './server.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function listen(server: http.Server | net.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(
    () =>
      new Promise<void>((r) => {
        (server as http.Server).closeAllConnections?.();
        server.close(() => r());
      }),
  );
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const local: ApiHandler = {
  onRequest(req, res) {
    req.resume();
    res.end(`local ${req.method} ${req.url}`);
  },
  onUpgrade(_req, socket) {
    socket.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nlocal');
  },
};

function role(r: 'primary' | 'replica', primary: string | undefined, advertise = '127.0.0.1:1'): ReplicaRole {
  return { role: () => r, primary: () => primary, waitForPrimary: async () => primary, advertise };
}

async function front(handler: ApiHandler): Promise<string> {
  const s = http.createServer((req, res) => handler.onRequest(req, res));
  s.on('upgrade', (req, sock, head) => handler.onUpgrade(req, sock, head));
  return listen(s);
}

async function call(
  addr: string,
  method: string,
  path: string,
  body?: string,
  chunked = false,
): Promise<{ status: number; body: string }> {
  const [host, port] = addr.split(':');
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port: Number(port), method, path, agent: false }, (res) => {
      let b = '';
      res.on('data', (c: Buffer) => {
        b += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (chunked) req.setHeader('Transfer-Encoding', 'chunked');
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A primary that echoes method, url and body, counting requests. */
async function echoPrimary(): Promise<{ addr: string; count: () => number }> {
  let n = 0;
  const s = http.createServer((req, res) => {
    n++;
    let b = '';
    req.on('data', (c: Buffer) => {
      b += c.toString();
    });
    req.on('end', () => res.end(`primary ${req.method} ${req.url} ${b}`));
  });
  s.on('upgrade', (req, sock, head) => {
    sock.write(
      'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
    );
    if (head.length) sock.write(head);
    sock.pipe(sock);
    void req;
  });
  return { addr: await listen(s), count: () => n };
}

describe('servedLocally', () => {
  it.each([
    ['/_ping', true],
    ['/v1.41/_ping', true],
    ['/info', true],
    ['/v1.24/info?x=1', true],
    ['/debug/pprof', true],
    ['/containers/json', false],
    ['/v1.41/containers/create', false],
    ['/information', false],
  ])('%s → %s', (url, want) => expect(servedLocally(url)).toBe(want));
});

describe('createReplicaHandler', () => {
  it('serves everything locally while primary', async () => {
    const addr = await front(createReplicaHandler(local, role('primary', undefined)));
    expect((await call(addr, 'GET', '/containers/json')).body).toBe('local GET /containers/json');
  });

  it('answers /_ping and /info itself and forwards the rest, bodies included (plain and chunked)', async () => {
    const p = await echoPrimary();
    const addr = await front(createReplicaHandler(local, role('replica', p.addr)));
    expect((await call(addr, 'GET', '/v1.41/info')).body).toBe('local GET /v1.41/info');
    expect((await call(addr, 'GET', '/_ping')).body).toBe('local GET /_ping');
    expect(await call(addr, 'GET', '/v1.41/containers/json?all=1')).toEqual({
      status: 200,
      body: 'primary GET /v1.41/containers/json?all=1 ',
    });
    expect((await call(addr, 'POST', '/containers/create?name=x', '{"Image":"busybox"}')).body).toBe(
      'primary POST /containers/create?name=x {"Image":"busybox"}',
    );
    expect((await call(addr, 'POST', '/build', 'tar-bytes', true)).body).toBe(
      'primary POST /build tar-bytes',
    );
    expect(p.count()).toBe(3);
  });

  it('forwards an Upgrade: tcp hijack as a raw two-way stream', async () => {
    const p = await echoPrimary();
    const addr = await front(createReplicaHandler(local, role('replica', p.addr)));
    const [host, port] = addr.split(':');
    const sock = net.connect(Number(port), host);
    sock.write(
      'POST /containers/x/attach?stream=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
    );
    let got = '';
    sock.on('data', (c: Buffer) => {
      got += c.toString();
      if (got.includes('UPGRADED') && !got.includes('hello')) sock.write('hello');
    });
    await new Promise<void>((r) => {
      const t = setInterval(() => {
        if (got.includes('hello')) {
          clearInterval(t);
          r();
        }
      }, 20);
    });
    sock.destroy();
    expect(got).toMatch(/^HTTP\/1.1 101 UPGRADED/);
  });

  it('answers 500 "No elected primary cluster manager" when none is known', async () => {
    const addr = await front(createReplicaHandler(local, role('replica', undefined), { waitMs: 50 }));
    expect(await call(addr, 'GET', '/containers/json')).toEqual({
      status: 500,
      body: '{"message":"No elected primary cluster manager"}\n',
    });
  });

  it('answers 500 "Unable to reach primary" when the primary refuses connections', async () => {
    const dead = net.createServer();
    const deadAddr = await listen(dead);
    await closers.pop()?.();
    const addr = await front(createReplicaHandler(local, role('replica', deadAddr), { waitMs: 300 }));
    const r = await call(addr, 'POST', '/containers/create', '{}');
    expect(r.status).toBe(500);
    expect(r.body).toMatch(/Unable to reach primary cluster manager/);
  });

  it('never replays a request the primary received: a drop mid-request reaches the client once', async () => {
    let seen = 0;
    const flaky = net.createServer((s) => {
      s.once('data', () => {
        seen++;
        s.destroy();
      });
    });
    const addr = await front(createReplicaHandler(local, role('replica', await listen(flaky))));
    await expect(call(addr, 'POST', '/containers/create?name=once', '{}')).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toBe(1);
  });

  it('serves locally when the known primary is this manager', async () => {
    const addr = await front(createReplicaHandler(local, role('replica', '10.0.0.9:3376', '10.0.0.9:3376')));
    expect((await call(addr, 'GET', '/containers/json')).body).toBe('local GET /containers/json');
  });

  it('cuts a forwarded event stream once another primary is known, and leaves other streams alone', async () => {
    // a primary whose /events and logs streams never end by themselves
    const streaming = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(`{"from":"${req.url}"}\n`);
    });
    const pAddr = await listen(streaming);
    let primary: string | undefined = pAddr;
    const r: ReplicaRole = { ...role('replica', undefined), primary: () => primary };
    const handler = createReplicaHandler(local, r);
    const addr = await front(handler);
    const open = (path: string) =>
      new Promise<{ first: string; done: Promise<string> }>((resolve, reject) => {
        const [host, port] = addr.split(':');
        http
          .get({ host, port: Number(port), path, agent: false }, (res) => {
            res.once('data', (c: Buffer) =>
              resolve({
                first: c.toString(),
                done: new Promise((d) => {
                  res.on('error', () => d('cut'));
                  res.on('end', () => d('ended'));
                }),
              }),
            );
          })
          .on('error', reject);
      });
    const events = await open('/v1.41/events?since=1');
    const logs = await open('/containers/x/logs?follow=1');
    expect(events.first).toContain('/v1.41/events');
    primary = undefined; // the leader key is vacant: nothing to compare with yet
    expect(handler.primaryChanged()).toBe(0);
    primary = '127.0.0.1:9';
    expect(handler.primaryChanged()).toBe(1);
    expect(await events.done).toBe('cut');
    const still = await Promise.race([logs.done, new Promise((w) => setTimeout(() => w('open'), 200))]);
    expect(still).toBe('open');
  });

  it('ends its own event streams cleanly once it is no longer primary', async () => {
    let current: 'primary' | 'replica' = 'primary';
    const streamingLocal: ApiHandler = {
      onRequest(req, res) {
        req.resume();
        res.writeHead(200);
        res.write('local-event\n');
      },
      onUpgrade: local.onUpgrade,
    };
    const me = '127.0.0.1:1';
    const r: ReplicaRole = {
      role: () => current,
      primary: () => (current === 'primary' ? me : undefined),
      waitForPrimary: async () => undefined,
      advertise: me,
    };
    const handler = createReplicaHandler(streamingLocal, r);
    const addr = await front(handler);
    const [host, port] = addr.split(':');
    const body = new Promise<string>((resolve, reject) => {
      http
        .get({ host, port: Number(port), path: '/events', agent: false }, (res) => {
          let b = '';
          res.on('data', (c: Buffer) => {
            b += c.toString();
          });
          res.on('end', () => resolve(b));
          res.on('error', reject);
        })
        .on('error', reject);
    });
    await new Promise((w) => setTimeout(w, 100));
    expect(handler.primaryChanged()).toBe(0);
    current = 'replica';
    expect(handler.primaryChanged()).toBe(1);
    expect(await body).toBe('local-event\n');
  });
});

describe('followsPrimary', () => {
  it.each([
    ['/events', true],
    ['/v1.41/events?since=1&filters=x', true],
    ['/containers/x/logs?follow=1', false],
    ['/eventsx', false],
  ])('%s → %s', (url, want) => expect(followsPrimary(url)).toBe(want));
});
