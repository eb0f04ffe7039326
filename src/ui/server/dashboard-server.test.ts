import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http, { type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTls } from '../../testkit/tls.js';
import { freePort } from '../../util/free-port.js';
import { DashboardServer, MANAGER_RETRY_MS } from './dashboard-server.js';

let dir = '';
let server: DashboardServer;
let base = '';
let deadPort = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-dash-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>shoal</title>');
  deadPort = await freePort();
  server = new DashboardServer({
    managers: [{ name: 'm1', addr: `127.0.0.1:${deadPort}` }],
    target: 'm1',
    tls: { ca: Buffer.from(''), cert: Buffer.from(''), key: Buffer.from('') },
    hosts: async () => [{ name: 'h1', driver: 'netns', ip: '10.0.0.2', state: 'Running', master: false }],
    staticDir: dir,
  });
  base = `http://${await server.listen('127.0.0.1', 0)}`;
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('DashboardServer', () => {
  it('serves the app for every page path and refuses paths outside its folder', async () => {
    const res = await fetch(`${base}/nodes`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>shoal</title>');
    const outside = await fetch(`${base}/..%2f..%2fetc%2fpasswd`);
    expect(await outside.text()).not.toContain('root:');
  });

  it('answers its own API from the store', async () => {
    const cfg = (await (await fetch(`${base}/dash/v1/config`)).json()) as { target: string };
    expect(cfg.target).toBe('m1');
    const hosts = (await (await fetch(`${base}/dash/v1/hosts`)).json()) as { hosts: { name: string }[] };
    expect(hosts.hosts.map((h) => h.name)).toEqual(['h1']);
    const kv = await fetch(`${base}/dash/v1/kv`);
    expect(kv.status).toBe(404);
    expect(((await kv.json()) as { message: string }).message).toContain('etcd://');
  });

  it('reports an unreachable manager as a JSON 502 and a down manager row', async () => {
    const res = await fetch(`${base}/docker/_ping`);
    expect(res.status).toBe(502);
    expect(((await res.json()) as { message: string }).message).toContain(`cannot reach manager m1`);
    const rows = (await (await fetch(`${base}/dash/v1/managers`)).json()) as { managers: { up: boolean }[] };
    expect(rows.managers[0]?.up).toBe(false);
  });

  it('refuses changes without its header and requests for another Host', async () => {
    const res = await fetch(`${base}/docker/containers/x/stop`, { method: 'POST' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toContain('x-shoal-dashboard');
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(base);
      http
        .get(
          { host: u.hostname, port: u.port, path: '/dash/v1/config', headers: { Host: 'evil.example' } },
          (r) => {
            r.resume();
            resolve(r.statusCode ?? 0);
          },
        )
        .on('error', reject);
    });
    expect(status).toBe(403);
  });
});

describe('DashboardServer streams', () => {
  let manager: https.Server;
  let dash: DashboardServer;
  let url = '';
  /** The manager side of each open events stream, to cut it. */
  const upstreams: ServerResponse[] = [];

  beforeAll(async () => {
    const tls = await testTls();
    manager = https.createServer(
      { cert: tls.server.cert, key: tls.server.key, ca: tls.ca, requestCert: true },
      (req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write(`{"path":"${req.url}"}\n`);
        upstreams.push(res);
      },
    );
    await new Promise<void>((r) => manager.listen(0, '127.0.0.1', () => r()));
    const port = (manager.address() as AddressInfo).port;
    dash = new DashboardServer({
      managers: [{ name: 'm', addr: `127.0.0.1:${port}` }],
      target: 'm',
      tls: {
        ca: Buffer.from(tls.ca),
        cert: Buffer.from(tls.client.cert),
        key: Buffer.from(tls.client.key),
      },
      staticDir: dir,
    });
    url = `http://${await dash.listen('127.0.0.1', 0)}`;
  });

  afterAll(async () => {
    await dash.close();
    manager.closeAllConnections();
    await new Promise<void>((r) => manager.close(() => r()));
  });

  /** Opens `path` and resolves once the first line came: `outcome` says how the stream finished. */
  async function open(path: string): Promise<{ first: string; outcome: Promise<string> }> {
    const res = await fetch(`${url}${path}`);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const outcome = (async () => {
      try {
        for (;;) if ((await reader.read()).done) return 'ended';
      } catch {
        return 'cut';
      }
    })();
    return { first, outcome };
  }

  it('cuts the browser stream when the manager cuts its answer (it does not hang open)', async () => {
    const s = await open('/docker/v1.41/events');
    expect(s.first).toContain('/v1.41/events');
    upstreams.at(-1)!.socket!.destroy();
    expect(await s.outcome).toBe('cut');
  });

  it('ends open event streams when the primary changes, and only those', async () => {
    const events = await open('/docker/events?since=1');
    const logs = await open('/docker/containers/x/logs?follow=1');
    expect(dash.endStreams()).toBe(1);
    expect(await events.outcome).toBe('ended');
    const still = await Promise.race([logs.outcome, new Promise((w) => setTimeout(() => w('open'), 200))]);
    expect(still).toBe('open');
  });
});

describe('DashboardServer with two managers', () => {
  const servers: https.Server[] = [];
  let dash: DashboardServer;
  let url = '';
  let now = 1_000_000;
  let m1Port = 0;
  let tls: Awaited<ReturnType<typeof testTls>>;

  /** A manager that answers every request with its name and the path. */
  async function fakeManager(name: string, port = 0): Promise<number> {
    const s = https.createServer(
      { cert: tls.server.cert, key: tls.server.key, ca: tls.ca, requestCert: true },
      (req, res) => {
        req.resume();
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ name, method: req.method, path: req.url }));
      },
    );
    servers.push(s);
    await new Promise<void>((r) => s.listen(port, '127.0.0.1', () => r()));
    return (s.address() as AddressInfo).port;
  }

  beforeAll(async () => {
    tls = await testTls();
    m1Port = await freePort();
    const m2Port = await fakeManager('m2');
    dash = new DashboardServer({
      managers: [
        { name: 'm1', addr: `127.0.0.1:${m1Port}` },
        { name: 'm2', addr: `127.0.0.1:${m2Port}` },
      ],
      target: 'm1',
      tls: { ca: Buffer.from(tls.ca), cert: Buffer.from(tls.client.cert), key: Buffer.from(tls.client.key) },
      staticDir: dir,
      now: () => now,
    });
    url = `http://${await dash.listen('127.0.0.1', 0)}`;
  });

  afterAll(async () => {
    await dash.close();
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  const target = async () =>
    ((await (await fetch(`${url}/dash/v1/config`)).json()) as { target: string }).target;

  it('goes through the next manager while its target cannot be reached, and back once it answers', async () => {
    expect(await target()).toBe('m1');
    // m1 is down: the GET is sent on to m2 at once
    const res = await fetch(`${url}/docker/info`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-shoal-manager')).toBe('m2');
    expect(await res.json()).toMatchObject({ name: 'm2', path: '/info' });
    expect(await target()).toBe('m2');
    // a change goes to m2 too while m1 is passed over (its body reaches it)
    const post = await fetch(`${url}/docker/containers/x/stop`, {
      method: 'POST',
      headers: { 'x-shoal-dashboard': '1' },
      body: '{}',
    });
    expect(await post.json()).toMatchObject({ name: 'm2', method: 'POST' });
    // m1 comes back: after the retry period the dashboard goes through it again
    await fakeManager('m1', m1Port);
    expect((await (await fetch(`${url}/docker/info`)).json()) as { name: string }).toMatchObject({
      name: 'm2',
    });
    now += MANAGER_RETRY_MS + 1;
    const back = await fetch(`${url}/docker/info`);
    expect(back.headers.get('x-shoal-manager')).toBe('m1');
    expect(await target()).toBe('m1');
  });

  it('answers a change 502 when the manager it was sent to cannot be reached (it is never sent twice)', async () => {
    const m1 = servers.at(-1)!;
    m1.closeAllConnections();
    await new Promise<void>((r) => m1.close(() => r()));
    const post = await fetch(`${url}/docker/containers/x/stop`, {
      method: 'POST',
      headers: { 'x-shoal-dashboard': '1' },
      body: '{}',
    });
    expect(post.status).toBe(502);
    expect(((await post.json()) as { message: string }).message).toContain('cannot reach manager m1');
    expect(await target()).toBe('m2');
  });
});
