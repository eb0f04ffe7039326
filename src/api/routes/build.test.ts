import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { type EngineClient, engineError } from '../../engine/index.js';
import { fakeCluster, fakeDeps, fakeNode } from '../../testkit/fake-cluster.js';
import type { ApiNode } from '../cluster-port.js';
import type { RequestContext } from '../context.js';
import { BuildIdMissingError, SessionIdMissingError, SessionUpgradeMissingError } from '../errors.js';
import { buildConstraints, buildRoutes } from './build.js';

describe('buildConstraints', () => {
  it.each([
    // docker build --build-arg constraint:node==n1 → the client sends {"constraint:node":"=n1"}
    [{ 'constraint:node': '=n1' }, ['node==n1']],
    [{ 'constraint:node!': 'n1' }, ['node!=n1']],
    [{ 'constraint:region': '=/eu-.*/', VERSION: '1.2' }, ['region==/eu-.*/']],
    [{ VERSION: '1.2' }, []],
  ])('%j → %j', (args, want) => {
    expect(buildConstraints(new URLSearchParams({ buildargs: JSON.stringify(args) }))).toEqual(want);
  });

  it('ignores a missing or malformed buildargs parameter', () => {
    expect(buildConstraints(new URLSearchParams())).toEqual([]);
    expect(buildConstraints(new URLSearchParams({ buildargs: '{nope' }))).toEqual([]);
  });
});

describe('build cancel and session routes', () => {
  /** Runs `POST <path>` through the build routes over `nodes`; resolves to the status and body, or the error. */
  async function post(
    path: string,
    nodes: ApiNode[],
    headers: Record<string, string> = {},
  ): Promise<{ status: number; text: string } | { error: unknown }> {
    const [route, query = ''] = path.split('?') as [string, string?];
    const handler = buildRoutes().find((r) => r.method === 'POST' && r.path === route)?.handler;
    let out = { status: 0, text: '' };
    const res = {
      writeHead: (status: number) => {
        out.status = status;
        return res;
      },
      end: (chunk?: string) => {
        out = { ...out, text: chunk ?? '' };
      },
    } as unknown as ServerResponse;
    const ctx: RequestContext = {
      req: { method: 'POST', headers } as unknown as IncomingMessage,
      res,
      path: route,
      version: '1.41',
      params: {},
      query: new URLSearchParams(query),
      deps: fakeDeps(fakeCluster(nodes)),
    };
    try {
      await handler?.(ctx);
      return out;
    } catch (error) {
      return { error };
    }
  }

  function node(name: string, answer: () => Promise<unknown>, paths: string[]): ApiNode {
    const client = {
      json: async (_m: string, path: string) => {
        paths.push(`${name} ${path}`);
        return answer();
      },
    } as unknown as EngineClient;
    return fakeNode({ name, addr: `${name}:2376`, client });
  }

  it.each([
    ['/build/cancel', {}, BuildIdMissingError, 'build ID not provided'],
    ['/build/cancel?id=', {}, BuildIdMissingError, 'build ID not provided'],
    ['/session', {}, SessionIdMissingError, 'no session ID provided'],
    [
      '/session',
      { 'x-docker-expose-session-uuid': 's1' },
      SessionUpgradeMissingError,
      'no upgrade proto in request',
    ],
  ])("POST %s %j: 400 with Swarm's text", async (path, headers, type, message) => {
    const paths: string[] = [];
    const r = await post(path, [node('n1', async () => undefined, paths)], headers);
    const err = (r as { error: unknown }).error;
    expect(err).toBeInstanceOf(type);
    expect([(err as Error).message, (err as BuildIdMissingError).httpStatus]).toEqual([message, 400]);
    expect(paths).toEqual([]);
  });

  it('sends a cancel to every healthy node and answers 200 when one took it', async () => {
    const paths: string[] = [];
    const down = fakeNode({ name: 'n3', addr: 'n3:2376', state: 'unhealthy' });
    const r = await post('/build/cancel?id=b1', [
      node('n1', async () => undefined, paths),
      node('n2', () => Promise.reject(engineError(500, 'boom', 'other')), paths),
      down,
    ]);
    expect(r).toEqual({ status: 200, text: '' });
    expect(paths.sort()).toEqual(['n1 /v1.41/build/cancel?id=b1', 'n2 /v1.41/build/cancel?id=b1']);
    const failed = await post('/build/cancel?id=b1', [
      node('n2', () => Promise.reject(engineError(500, 'boom', 'other')), paths),
    ]);
    expect((failed as { error: Error }).error.message).toBe('boom');
  });
});
