import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  NoSuchContainerError,
  NoSuchImageError,
  NoSuchNetworkError,
  NoSuchVolumeError,
} from '../../cluster/errors.js';
import type { EngineClient } from '../../engine/index.js';
import { fakeCluster, fakeDeps, fakeNode } from '../../testkit/fake-cluster.js';
import type { RequestContext, Route } from '../context.js';
import { renderError } from '../error-handler.js';
import { containerRoutes } from './containers.js';
import { imageRoutes } from './images.js';
import { networkRoutes } from './networks.js';
import { volumeRoutes } from './volumes.js';

/** A node whose engine holds nothing: every lookup answers 404. */
const empty = fakeNode({
  name: 'n1',
  client: {
    request: async () => ({ statusCode: 404, body: { text: async () => '{"message":"not here"}' } }),
    json: async () => {
      throw new Error('nothing should reach the engine');
    },
  } as unknown as EngineClient,
});

/** Runs `method path` through `routes` over a cluster with one empty node; resolves to the error it threw. */
async function refused(routes: Route[], method: Route['method'], path: string): Promise<unknown> {
  const prefix = path.split('/').slice(0, 2).join('/');
  const route = routes.find((r) => r.method === method && r.path === `${prefix}/*`);
  const ctx: RequestContext = {
    req: { method, headers: {}, url: `/v1.41${path}` } as IncomingMessage,
    res: {} as ServerResponse,
    path,
    version: '1.41',
    params: { '*': path.slice(prefix.length + 1) },
    query: new URLSearchParams(),
    deps: fakeDeps(fakeCluster([empty])),
  };
  return route?.handler(ctx).then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe("a missing object: Swarm's wording where its handler answered itself", () => {
  it.each<[Route[], Route['method'], string, string, new (...a: never[]) => Error]>([
    [containerRoutes(), 'GET', '/containers/nope/json', 'No such container nope', NoSuchContainerError],
    [containerRoutes(), 'POST', '/containers/nope/start', 'No such container nope', NoSuchContainerError],
    [containerRoutes(), 'POST', '/containers/nope/exec', 'No such container nope', NoSuchContainerError],
    [containerRoutes(), 'DELETE', '/containers/nope', 'Container nope not found', NoSuchContainerError],
    // proxied actions keep the engine's text, as Swarm's proxy did
    [containerRoutes(), 'POST', '/containers/nope/stop', 'No such container: nope', NoSuchContainerError],
    [containerRoutes(), 'GET', '/containers/nope/logs', 'No such container: nope', NoSuchContainerError],
    [imageRoutes(), 'DELETE', '/images/nope', 'No such image nope', NoSuchImageError],
    [networkRoutes(), 'DELETE', '/networks/nope', 'No such network nope', NoSuchNetworkError],
    [volumeRoutes(), 'DELETE', '/volumes/nope', 'No such volume nope', NoSuchVolumeError],
    // inspects keep Swarm's colon
    [networkRoutes(), 'GET', '/networks/nope', 'No such network: nope', NoSuchNetworkError],
    [volumeRoutes(), 'GET', '/volumes/nope', 'No such volume: nope', NoSuchVolumeError],
  ])('%#: %s %s → 404 %s', async (routes, method, path, message, type) => {
    const err = await refused(routes, method, path);
    expect(err).toBeInstanceOf(type);
    expect(renderError(err)).toMatchObject({ status: 404, message });
  });
});
