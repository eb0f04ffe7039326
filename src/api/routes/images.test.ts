import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { EngineClient } from '../../engine/index.js';
import { fakeCluster, fakeDeps, fakeNode } from '../../testkit/fake-cluster.js';
import type { ApiNode } from '../cluster-port.js';
import type { RequestContext } from '../context.js';
import { imageRoutes, pulledRef, pushedImage, streamedError } from './images.js';

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
      deps: fakeDeps(fakeCluster(nodes)),
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

describe('load and import on every node', () => {
  /** A node whose engine answers a load or import with `status` and `lines` (JSON lines). */
  function loader(name: string, status: number, lines: object[]): ApiNode {
    const client = {
      request: async (_m: string, _p: string, opts: { body: Readable }) => {
        opts.body.resume();
        const text = lines.map((l) => `${JSON.stringify(l)}\n`).join('');
        return { statusCode: status, body: { text: async () => text } };
      },
    } as unknown as EngineClient;
    return fakeNode({ name, addr: `${name}:2376`, client });
  }

  async function tee(nodes: ApiNode[], query: string): Promise<{ status: number; text: string } | Error> {
    const route = imageRoutes().find(
      (r) => r.method === 'POST' && r.path === (query ? '/images/create' : '/images/load'),
    );
    const req = Object.assign(Readable.from([Buffer.from('tar bytes')]), {
      method: 'POST',
      headers: {},
      url: query ? `/v1.41/images/create?${query}` : '/v1.41/images/load',
    });
    const out = { status: 0, text: '' };
    const res = {
      writeHead: (status: number) => {
        out.status = status;
        return res;
      },
      end: (text: string) => {
        out.text = text;
      },
    } as unknown as ServerResponse;
    const ctx: RequestContext = {
      req: req as unknown as IncomingMessage,
      res,
      path: query ? '/images/create' : '/images/load',
      version: '1.41',
      params: {},
      query: new URLSearchParams(query),
      deps: fakeDeps(fakeCluster(nodes)),
    };
    try {
      await route?.handler(ctx);
      return out;
    } catch (err) {
      return err as Error;
    }
  }

  it.each([
    ['', 'Failed to load image: archive/tar: invalid tar header'],
    ['fromSrc=-&repo=mine&tag=1', 'Failed to import mine:1: archive/tar: invalid tar header'],
  ])("ends with Swarm's error when a node's engine streamed one (%s)", async (query, message) => {
    const r = (await tee(
      [
        loader('n1', 200, [{ stream: 'Loaded image: mine:1' }]),
        loader('n2', 200, [
          {
            errorDetail: { message: 'archive/tar: invalid tar header' },
            error: 'archive/tar: invalid tar header',
          },
        ]),
      ],
      query,
    )) as { status: number; text: string };
    const lines = r.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(r.status).toBe(200);
    expect(lines).toEqual([
      { stream: 'Loaded image: mine:1' },
      { errorDetail: { code: 1, message }, error: message },
    ]);
  });

  it("answers the first node's output when every node took it, and a refusal as the engine's error", async () => {
    const ok = (await tee([loader('n1', 200, [{ stream: 'Loaded image: mine:1' }])], '')) as { text: string };
    expect(ok.text).toBe('{"stream":"Loaded image: mine:1"}\n');
    const refused = await tee([loader('n1', 500, [{ message: 'no space left' }])], '');
    expect((refused as Error).message).toBe('n1: {"message":"no space left"}');
  });

  it.each([
    ['{"status":"x"}\n{"error":"boom","errorDetail":{}}\n', 'boom'],
    ['{"stream":"ok"}\n', undefined],
    ['not json\n', undefined],
  ])('streamedError(%j) = %s', (text, want) => {
    expect(streamedError(text)).toBe(want);
  });
});
