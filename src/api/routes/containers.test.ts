import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { InspectCache, STREAM_SETTLE_MS } from '../../cluster/index.js';
import type { EngineClient } from '../../engine/index.js';
import { fakeCluster, fakeContainer, fakeDeps, fakeNode } from '../../testkit/fake-cluster.js';
import { ManualClock } from '../../testkit/manual-clock.js';
import type { ApiNode } from '../cluster-port.js';
import type { RequestContext } from '../context.js';
import { containerRoutes } from './containers.js';

const ID = 'c0ffee'.padEnd(64, '0');

/** An engine client stand-in that answers every JSON call with a copy of `body()` and records the paths. */
function recordingClient(body: () => Record<string, unknown>): { client: EngineClient; paths: string[] } {
  const paths: string[] = [];
  const client = {
    json: async (_method: string, path: string) => {
      paths.push(path);
      return structuredClone(body());
    },
  } as unknown as EngineClient;
  return { client, paths };
}

/** Runs `GET /v1.41/containers/<ref>/json[?query]` through the container routes; resolves to the parsed answer. */
async function inspect(node: ApiNode, ref: string, query = ''): Promise<Record<string, unknown>> {
  const route = containerRoutes().find((r) => r.method === 'GET' && r.path === '/containers/*');
  let text = '';
  const res = {
    writeHead: () => res,
    end: (chunk?: string) => {
      text = chunk ?? '';
    },
  } as unknown as ServerResponse;
  const ctx: RequestContext = {
    req: { method: 'GET', headers: {} } as IncomingMessage,
    res,
    path: `/containers/${ref}/json`,
    version: '1.41',
    params: { '*': `${ref}/json` },
    query: new URLSearchParams(query),
    deps: fakeDeps(fakeCluster([node], [fakeContainer(node, { Id: ID, Names: ['/web'] })])),
  };
  await route?.handler(ctx);
  return JSON.parse(text) as Record<string, unknown>;
}

async function nodeWith(body: () => Record<string, unknown>): Promise<{ node: ApiNode; paths: string[] }> {
  const { client, paths } = recordingClient(body);
  const clock = new ManualClock();
  const inspects = new InspectCache(clock);
  inspects.streamOpened();
  await clock.advance(STREAM_SETTLE_MS);
  const node = fakeNode({ name: 'n1', ip: '10.0.0.7', addr: '10.0.0.7:2376', client, inspects });
  return { node, paths };
}

const running = () => ({
  Id: ID,
  Name: '/web',
  State: { Status: 'running', Running: true },
  ExecIDs: null,
  NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] } },
});

describe('container inspect', () => {
  it('adds Node last and the node IP to published ports, then answers again without the engine', async () => {
    const { node, paths } = await nodeWith(running);
    const first = await inspect(node, 'web');
    expect(Object.keys(first).at(-1)).toBe('Node');
    expect(first.Node).toMatchObject({ Name: 'n1', IP: '10.0.0.7', Addr: '10.0.0.7:2376' });
    expect(first.NetworkSettings).toEqual({
      Ports: { '80/tcp': [{ HostIp: '10.0.0.7', HostPort: '8080' }] },
    });
    expect(await inspect(node, ID.slice(0, 12))).toEqual(first);
    expect(paths).toEqual([`/v1.41/containers/${ID}/json`]);
  });

  it('asks the engine again once the container is forgotten', async () => {
    let status = 'running';
    const { node, paths } = await nodeWith(() => ({ ...running(), State: { Status: status } }));
    await inspect(node, 'web');
    status = 'exited';
    node.inspects.forget(ID);
    expect((await inspect(node, 'web')).State).toEqual({ Status: 'exited' });
    expect(paths).toHaveLength(2);
  });

  it('puts the Node object of the moment on a stored answer', async () => {
    const { node } = await nodeWith(running);
    await inspect(node, 'web');
    Object.assign(node, { labels: { storagedriver: 'overlay2', zone: 'b' } });
    expect((await inspect(node, 'web')).Node).toMatchObject({ Labels: { zone: 'b' } });
  });

  it.each([
    ['sizes are asked for', running, 'size=1'],
    ['a health check runs', () => ({ ...running(), State: { Status: 'running', Health: { Log: [] } } }), ''],
    ['exec instances are listed', () => ({ ...running(), ExecIDs: ['e1'] }), ''],
  ])('always asks the engine when %s', async (_why, body, query) => {
    const { node, paths } = await nodeWith(body);
    await inspect(node, 'web', query);
    await inspect(node, 'web', query);
    expect(paths).toHaveLength(2);
  });

  it('stores nothing while the engine event stream is not open', async () => {
    const { client, paths } = recordingClient(running);
    const node = fakeNode({ name: 'n1', client });
    await inspect(node, 'web');
    await inspect(node, 'web');
    expect(paths).toHaveLength(2);
  });
});

describe('GET /containers/json by full ID', () => {
  async function list(query: string, counted: { scans: number }): Promise<{ Id: string; Names: string[] }[]> {
    const node = fakeNode({ name: 'n1', ip: '10.0.0.7', addr: '10.0.0.7:2376' });
    const other = 'beef'.padEnd(64, '0');
    const cluster = fakeCluster(
      [node],
      [fakeContainer(node, { Id: ID, Names: ['/web'] }), fakeContainer(node, { Id: other, Names: ['/db'] })],
    );
    const all = cluster.containers;
    cluster.containers = () => {
      counted.scans++;
      return all();
    };
    const route = containerRoutes().find((r) => r.method === 'GET' && r.path === '/containers/json');
    let text = '';
    const res = {
      writeHead: () => res,
      end: (chunk?: string) => {
        text = chunk ?? '';
      },
    } as unknown as ServerResponse;
    await route?.handler({
      req: { method: 'GET', headers: {} } as IncomingMessage,
      res,
      path: '/containers/json',
      version: '1.41',
      params: {},
      query: new URLSearchParams(query),
      deps: fakeDeps(cluster),
    });
    return JSON.parse(text) as { Id: string; Names: string[] }[];
  }

  it('looks up full IDs instead of passing over every container, with the same answer', async () => {
    const counted = { scans: 0 };
    const filters = (f: object) => `all=1&filters=${encodeURIComponent(JSON.stringify(f))}`;
    const hit = await list(filters({ id: [ID, ID] }), counted);
    expect(hit.map((c) => [c.Id, c.Names])).toEqual([[ID, ['/n1/web']]]);
    expect(await list(filters({ id: ['f'.repeat(64)] }), counted)).toEqual([]);
    // other filters still apply to what the lookup found
    expect(await list(filters({ id: [ID], name: ['db'] }), counted)).toEqual([]);
    expect(counted.scans).toBe(0);
    // a prefix is a regexp over every ID: a pass over all of them
    expect((await list(filters({ id: ['c0ffee'] }), counted)).map((c) => c.Id)).toEqual([ID]);
    expect(counted.scans).toBe(1);
  });
});
