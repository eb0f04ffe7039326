import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagerMetrics, MetricsRegistry } from '../metrics/index.js';
import { fakeCluster, fakeNode } from '../testkit/fake-cluster.js';
import { ExecLocations } from './exec-locations.js';
import { instrumentApi } from './metrics-handler.js';
import { createApiHandler } from './server.js';

const registry = new MetricsRegistry({ processMetrics: false });
const metrics = new ManagerMetrics(registry, {
  role: () => 'primary',
  nodes: () => [],
  containerStates: () => [],
});
const routed = createApiHandler({
  cluster: fakeCluster([fakeNode({ name: 'n1' })]),
  execs: new ExecLocations(),
  manager: {
    experimental: false,
    debug: false,
    hostname: 'h',
    kernelVersion: 'k',
    role: () => 'primary',
    primary: () => undefined,
    eventListeners: 0,
  },
});
const server = http.createServer();
const handler = instrumentApi(routed, { registry, metrics, routeOf: routed.routeOf });
server.on('request', (req, res) => handler.onRequest(req, res));
let base = '';

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('instrumentApi', () => {
  it('labels requests by route template, never by raw ID, and serves /metrics itself', async () => {
    await fetch(`${base}/v1.41/containers/abc123/json`);
    await fetch(`${base}/containers/def456/json`);
    await fetch(`${base}/_ping`);
    await fetch(`${base}/no/such/route`);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(
      /shoal_api_requests_total\{method="GET",route="\/containers\/{name}\/json",status="404"\} 2/,
    );
    expect(text).toContain('shoal_api_requests_total{method="GET",route="/_ping",status="200"} 1');
    expect(text).toContain('shoal_api_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).not.toContain('abc123');
    expect(text).toContain('shoal_api_request_duration_seconds_bucket');
  });
});
