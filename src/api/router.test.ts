import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ApiDeps } from './context.js';
import { ApiRouter, MIN_API_VERSION, olderThan } from './router.js';
import { allRoutes } from './routes/index.js';

const router = new ApiRouter(allRoutes());

describe('ApiRouter', () => {
  it.each([
    ['GET', '/_ping'],
    ['HEAD', '/_ping'],
    ['GET', '/v1.41/_ping'],
    ['GET', '/v1.24/info'],
    ['GET', '/version'],
    ['GET', '/events'],
    ['GET', '/v1.41/containers/json'],
    ['POST', '/v1.41/containers/create'],
    ['GET', '/v1.41/containers/node-1/web/json'],
    ['POST', '/containers/abc/start'],
    ['DELETE', '/v1.50/containers/abc'],
    ['POST', '/v1.41/exec/abc/start'],
    ['GET', '/images/json'],
    ['GET', '/images/library/bb:latest/json'],
    ['POST', '/images/load'],
    ['GET', '/networks'],
    ['DELETE', '/networks/node-1/nw'],
    ['GET', '/volumes/node-1/v1'],
    ['POST', '/build'],
    ['POST', '/commit'],
    ['GET', '/nodes'],
    ['GET', '/v1.41/nodes/abc'],
    ['POST', '/v1.41/nodes/abc/update'],
  ])('routes %s %s', (method, url) => {
    expect(router.match(method, url)).toBeDefined();
  });

  it.each([
    ['GET', '/swarm'],
    ['GET', '/v1.41/services'],
    ['DELETE', '/nodes/abc'],
    ['GET', '/tasks'],
    ['GET', '/secrets'],
    ['GET', '/configs'],
    ['GET', '/plugins'],
    ['GET', '/system/df'],
    ['POST', '/v1.41/containers/prune'],
    ['GET', '/distribution/bb/json'],
  ])('refuses %s %s with no route (404)', (method, url) => {
    const m = router.match(method, url);
    // containers/prune falls into the container wildcard, whose handler answers 404 for an unknown action
    if (m) expect(m.path).toBe('/containers/prune');
    else expect(m).toBeUndefined();
  });

  it('strips the version prefix and keeps the query', () => {
    const m = router.match('GET', '/v1.41/containers/json?all=1&limit=2');
    expect(m?.version).toBe('1.41');
    expect(m?.path).toBe('/containers/json');
    expect(m?.query.get('limit')).toBe('2');
  });

  it('gives the wildcard rest for node/name references', () => {
    expect(router.match('GET', '/containers/node-1/web/json')?.params['*']).toBe('node-1/web/json');
  });
});

describe('ApiRouter.template', () => {
  it.each([
    ['GET', '/v1.41/containers/json', '/containers/json'],
    ['GET', '/v1.41/containers/abc123/json', '/containers/{name}/json'],
    ['GET', '/containers/node-1/web/logs?follow=1', '/containers/{name}/logs'],
    ['DELETE', '/containers/node-1/web', '/containers/{name}'],
    ['DELETE', '/containers/abc123', '/containers/{name}'],
    ['GET', '/images/library/bb:latest/json', '/images/{name}/json'],
    ['GET', '/_ping', '/_ping'],
    ['GET', '/no/such/path/abc123', 'unmatched'],
  ])('%s %s is %s', (method, url, want) => {
    expect(router.template(method, url)).toBe(want);
  });
});

describe('ApiRouter client versions', () => {
  it('compares major.minor versions', () => {
    expect(olderThan('1.2', '1.12')).toBe(true);
    expect(olderThan('1.11', '1.12')).toBe(true);
    expect(olderThan('0.99', '1.12')).toBe(true);
    expect(olderThan('1.12', '1.12')).toBe(false);
    expect(olderThan('1.41', '1.12')).toBe(false);
    expect(olderThan('2.0', '1.12')).toBe(false);
  });

  it("refuses a client older than the oldest version served, in JSON, with the engine's text", async () => {
    // deps are never reached: the version is refused before any handler runs
    const server = http.createServer((req, res) => router.handle(req, res, {} as ApiDeps));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v1.2/containers/zz?force=1`, { method: 'DELETE' });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toBe(
        `client version 1.2 is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
      );
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
