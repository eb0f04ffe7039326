import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { EngineClient } from '../../engine/index.js';
import { fakeCluster, fakeNode } from '../../testkit/fake-cluster.js';
import type { ApiNode } from '../cluster-port.js';
import type { RequestContext } from '../context.js';
import { ExecLocations } from '../exec-locations.js';
import { imageRoutes, pulledRef, pushedImage } from './images.js';

describe('pushedImage', () => {
  it.each([
    ['10.0.0.2:5000/team/app', 'v1', '10.0.0.2:5000/team/app:v1'],
    ['busybox', 'latest', 'busybox:latest'],
    ['localhost:5000/app', 'sha256:abc', 'localhost:5000/app@sha256:abc'],
    ['app', '', undefined],
    ['app', null, undefined],
  ])('%s with tag %s -> %s', (repo, tag, want) => {
    expect(pushedImage(repo, tag)).toBe(want);
  });
});

describe('pull', () => {
  it.each([
    ['busybox', 'latest', 'busybox:latest'],
    ['busybox', null, 'busybox'],
    ['busybox', `sha256:${'a'.repeat(64)}`, `busybox@sha256:${'a'.repeat(64)}`],
  ])('pulledRef(%s, %s) = %s', (from, tag, want) => {
    expect(pulledRef(from, tag)).toBe(want);
  });

  /** A node whose pull streams `lines`, or fails at once with `error`. */
  function puller(name: string, lines: object[], error?: Error): ApiNode {
    const client = {
      stream: async () => {
        if (error) throw error;
        return Readable.from(lines.map((l) => `${JSON.stringify(l)}\n`));
      },
    } as unknown as EngineClient;
    return fakeNode({ name, addr: `${name}:2376`, client });
  }

  async function pullThrough(nodes: ApiNode[]): Promise<Record<string, unknown>[]> {
    const route = imageRoutes().find((r) => r.method === 'POST' && r.path === '/images/create');
    let text = '';
    const res = {
      writeHead: () => res,
      write: (chunk: string) => {
        text += chunk;
        return true;
      },
      end: () => undefined,
    } as unknown as ServerResponse;
    const ctx: RequestContext = {
      req: {
        method: 'POST',
        headers: {},
        url: '/v1.41/images/create?fromImage=nope&tag=1',
        resume: () => undefined,
      } as unknown as IncomingMessage,
      res,
      path: '/images/create',
      version: '1.41',
      params: {},
      query: new URLSearchParams({ fromImage: 'nope', tag: '1' }),
      deps: {
        cluster: fakeCluster(nodes),
        execs: new ExecLocations(),
        manager: {} as RequestContext['deps']['manager'],
      },
    };
    await route?.handler(ctx);
    return text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  it("reports a failing node in its own line and ends with Swarm's error", async () => {
    const lines = await pullThrough([
      puller('n1', [{ status: 'Pulling fs layer' }, { status: 'Download complete' }]),
      puller('n2', [{ status: 'Pulling fs layer' }, { error: 'manifest unknown', errorDetail: {} }]),
    ]);
    expect(lines.filter((l) => l.id === 'n1').map((l) => l.status)).toEqual([
      'Pulling nope:1...',
      'Pulling nope:1... : Pulling fs layer',
      'Pulling nope:1... : Download complete',
      'Pulling nope:1... : downloaded',
    ]);
    expect(lines.filter((l) => l.id === 'n2').map((l) => l.status)).toEqual([
      'Pulling nope:1...',
      'Pulling nope:1... : Pulling fs layer',
      'Pulling nope:1... : Failed to load nope:1: manifest unknown',
    ]);
    expect(lines.at(-1)).toEqual({
      errorDetail: { code: 1, message: 'Failed to load nope:1: manifest unknown' },
      error: 'Failed to load nope:1: manifest unknown',
    });
    expect(lines.filter((l) => l.error !== undefined)).toHaveLength(1);
  });

  it("gives the engine's refusal as is, and no error line when every node pulled", async () => {
    const refused = await pullThrough([puller('n1', [], new Error('pull access denied for nope'))]);
    expect(refused.at(-1)).toMatchObject({ error: 'pull access denied for nope' });
    const ok = await pullThrough([puller('n1', [{ status: 'Already exists' }])]);
    expect(ok.some((l) => l.error !== undefined)).toBe(false);
  });
});
