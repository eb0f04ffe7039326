import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  EngineImageNotFoundError,
  EngineRequestError,
  EngineUnreachableError,
  engineError,
} from '../engine/errors.js';
import { imageMatches } from '../scheduler/lookup.js';
import type { CreateBody } from '../scheduler/request.js';
import type { ReservationBook } from '../scheduler/reservations.js';
import type { Decision, NodeSnapshot, PlacementRequest } from '../scheduler/types.js';
import { cached, hexId } from '../testkit/cluster-fixtures.js';
import { flush } from '../testkit/manual-clock.js';
import { seededRng } from '../util/rng.js';
import { containerNames } from './container-index.js';
import type { Engine } from './engine.js';
import type { CachedContainer } from './engine-cache.js';
import { ChosenNodeGoneError, NameConflictError, NoNodeAvailableError } from './errors.js';
import { type CreateOptions, Placement, type PlacementScheduler } from './placement.js';
import { SnapshotCache } from './snapshot-cache.js';

type CreateFn = (body: CreateBody, name: string | undefined, engine: FakeEngine) => Promise<{ Id: string }>;

/** An in-memory stand-in for an engine: only what the create flow touches. */
class FakeEngine {
  readonly id: string;
  readonly ip: string;
  state: 'healthy' | 'unhealthy' = 'healthy';
  readonly active = true;
  readonly labels = {};
  readonly cpus = 4;
  readonly memory = 1 << 30;
  containers: CachedContainer[] = [];
  images: { Id: string; RepoTags: string[] }[] = [];
  creates: { body: CreateBody; name: string | undefined; pendingSeen: number }[] = [];
  pulls: string[] = [];
  book?: ReservationBook;

  constructor(
    readonly name: string,
    readonly addr: string,
    public onCreate: CreateFn,
  ) {
    this.id = `ID-${name}`;
    this.ip = addr.split(':')[0]!;
  }

  get healthIndicator() {
    return this.state === 'healthy' ? 100 : 0;
  }

  provisional: string[] = [];
  /** Resolves the background refresh; replaced by tests that want to hold it. */
  refreshGate: Promise<void> = Promise.resolve();

  readonly cache = {
    // every read is a new version, so the snapshot cache and name index never hold a stale view
    version: 0,
    revision: 0,
    containers: () => this.containers,
    images: () => this.images,
    addProvisional: (id: string) => {
      this.provisional.push(id);
    },
    refreshContainer: async (id: string) => {
      await this.refreshGate;
      const c = cached({ id, name: this.creates.at(-1)?.name ?? 'anon' });
      this.containers.push(c);
      return c;
    },
    refreshImages: async () => undefined,
  };

  /** What a pull on this engine fails with. */
  pullError: Error = engineError(
    500,
    'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host',
    'pull',
  );

  readonly client = {
    json: async (_method: string, path: string, body: CreateBody, opts: { query?: { name?: string } }) => {
      if (path !== '/containers/create') throw new Error(`unexpected ${path}`);
      this.creates.push({ body, name: opts.query?.name, pendingSeen: this.book?.size ?? -1 });
      return this.onCreate(body, opts.query?.name, this);
    },
    stream: async (_m: string, _p: string, opts: { query: { fromImage: string; tag?: string } }) => {
      this.pulls.push(`${opts.query.fromImage}:${opts.query.tag}`);
      throw this.pullError;
    },
  };
}

/** The fake scheduler's filter: healthy nodes, `node==`/`image==` honoured. */
function fits(req: PlacementRequest, n: NodeSnapshot): boolean {
  return (
    n.state === 'healthy' &&
    req.constraints.every((c) => c.key !== 'node' || (c.op === '==') === (n.name === c.value)) &&
    req.affinities.every(
      (a) =>
        a.key !== 'image' ||
        n.images.some((i) => imageMatches({ Id: i.id, RepoTags: [...i.repoTags] }, a.value)),
    )
  );
}

/** Spread-like fake: {@link fits}, fewest containers wins, ties by order. */
const fakeScheduler: PlacementScheduler = {
  strategy: { name: 'fewest', rank: () => [] },
  filterNames: ['health'],
  decide(req: PlacementRequest, nodes: readonly NodeSnapshot[]): Decision {
    const fit = nodes.filter((n) => fits(req, n));
    const rejections = this.rejectionsOf(req, nodes, 1);
    if (fit.length === 0)
      return {
        ok: false,
        message: 'No healthy node available in the cluster',
        rejections,
        summary: `0/${nodes.length} nodes are available`,
      };
    const best = [...fit].sort((a, b) => a.containers.length - b.containers.length)[0]!;
    const ranking = [{ node: best, score: best.containers.length, components: {} }];
    const summary = `${fit.length}/${nodes.length} nodes are available`;
    return { ok: true, node: best, ranking, pass: 1, rejections, summary };
  },
  rejectionsOf(req: PlacementRequest, nodes: readonly NodeSnapshot[]) {
    return nodes
      .filter((n) => !fits(req, n))
      .map((n) => ({ node: n.name, filter: 'health', reason: `node is ${n.state}` }));
  },
};

/** A placement over fake engines (its book is shared with the engines, which record what they saw held). */
function context(
  engines: FakeEngine[],
  createRetry = 0,
  onDecision?: (d: Decision, seconds: number) => void,
): Placement {
  for (const e of engines) {
    Object.defineProperty(e.cache, 'version', { get: () => ++changes });
    Object.defineProperty(e.cache, 'revision', { get: () => ++changes });
  }
  const placement = new Placement({
    scheduler: fakeScheduler,
    engines: new Map(engines.map((e) => [e.addr, e as unknown as Engine])),
    // the fakes' lists change in place: look names up by scanning them
    names: {
      holder: (name, candidate) => {
        for (const e of engines as unknown as Engine[]) {
          if (!candidate(e)) continue;
          const c = (e as unknown as FakeEngine).containers.find((x) =>
            containerNames(x).includes(`/${name.replace(/^\//, '')}`),
          );
          if (c) return { node: e, container: c };
        }
        return undefined;
      },
    },
    snapshots: new SnapshotCache(0),
    createRetry,
    rng: seededRng(1),
    clock: { now: () => 1_700_000_000_000, sleep: () => Promise.resolve() },
    logger: pino({ level: 'silent' }),
    ...(onDecision ? { onDecision } : {}),
  });
  for (const e of engines) e.book = placement.book;
  return placement;
}
let changes = 0;

function createContainer(p: Placement, body: CreateBody, name: string | undefined, opts?: CreateOptions) {
  return p.createContainer(body, name, opts);
}

let seq = 0;
const ok: CreateFn = async () => ({ Id: hexId(`c${++seq}`) });
const noImage: CreateFn = async (body) => {
  throw engineError(404, `No such image: ${body.Image}:latest`, 'create');
};

describe('createContainer', () => {
  it('places on the emptiest node, reserving before the engine call and releasing after', async () => {
    const a = new FakeEngine('node-1', '10.0.0.1:2376', ok);
    const b = new FakeEngine('node-2', '10.0.0.2:2376', ok);
    a.containers.push(cached({ id: hexId('e1'), name: 'existing' }));
    const ctx = context([a, b]);
    const res = await createContainer(ctx, { Image: 'busybox' }, 'web');
    expect(res.node).toBe(b);
    expect(b.creates[0]?.pendingSeen).toBe(1);
    expect(b.creates[0]?.name).toBe('web');
    expect(b.provisional).toEqual([res.Id]);
    expect(res.timing.attempts).toBe(1);
    await flush();
    expect(ctx.book.size).toBe(0);
  });

  it('answers before the background refresh and holds the reservation until it is done', async () => {
    const a = new FakeEngine('node-1', '10.0.0.1:2376', ok);
    let open: () => void = () => undefined;
    a.refreshGate = new Promise((r) => {
      open = r;
    });
    const ctx = context([a]);
    await createContainer(ctx, { Image: 'busybox' }, 'held');
    await flush();
    expect(ctx.book.size).toBe(1);
    await expect(createContainer(ctx, { Image: 'busybox' }, 'held')).rejects.toBeInstanceOf(
      NameConflictError,
    );
    open();
    await flush();
    expect(ctx.book.size).toBe(0);
  });

  it('refuses a name used on any node with 409 and Swarm wording', async () => {
    const a = new FakeEngine('node-1', '10.0.0.1:2376', ok);
    const b = new FakeEngine('node-2', '10.0.0.2:2376', ok);
    b.containers.push(cached({ id: hexId('e2'), name: 'web' }));
    const err = await createContainer(context([a, b]), { Image: 'busybox' }, '/web').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NameConflictError);
    expect((err as NameConflictError).httpStatus).toBe(409);
    expect((err as Error).message).toBe(
      'Conflict: The name web is already assigned. You have to delete (or rename) that container to be able to assign web to a container again.',
    );
    expect(a.creates.length + b.creates.length).toBe(0);
  });

  it('refuses a name held by an in-flight create', async () => {
    let release: () => void = () => undefined;
    const slow: CreateFn = () =>
      new Promise((resolve) => {
        release = () => resolve({ Id: hexId('slow') });
      });
    const a = new FakeEngine('node-1', '10.0.0.1:2376', slow);
    const ctx = context([a]);
    const first = createContainer(ctx, { Image: 'busybox' }, 'job');
    await new Promise((r) => setImmediate(r));
    await expect(createContainer(ctx, { Image: 'busybox' }, 'job')).rejects.toBeInstanceOf(NameConflictError);
    release();
    await first;
    await flush();
    expect(ctx.book.size).toBe(0);
  });

  it('releases the reservation exactly once when the engine fails', async () => {
    const a = new FakeEngine('node-1', '10.0.0.1:2376', async () => {
      throw new EngineUnreachableError('10.0.0.1:2376', 'connection refused');
    });
    const ctx = context([a]);
    await expect(createContainer(ctx, { Image: 'busybox' }, 'x')).rejects.toBeInstanceOf(
      EngineUnreachableError,
    );
    expect(ctx.book.size).toBe(0);
    // the name is free again
    a.onCreate = ok;
    expect((await createContainer(ctx, { Image: 'busybox' }, 'x')).node).toBe(a);
  });

  it('auto-pulls on the chosen node, then retries with image affinity on a node that has it', async () => {
    const a = new FakeEngine('node-1', '10.0.0.1:2376', noImage);
    const b = new FakeEngine('node-2', '10.0.0.2:2376', ok);
    b.containers.push(cached({ id: hexId('e3'), name: 'busy' }));
    b.images.push({ Id: 'sha256:bb', RepoTags: ['busybox:latest'] });
    const res = await createContainer(context([a, b]), { Image: 'busybox' }, undefined);
    expect(a.pulls).toEqual(['busybox:latest']);
    expect(res.node).toBe(b);
    // both attempts are timed: two scheduling steps, and the engine time of both creates (and the pull)
    expect(res.timing.attempts).toBe(2);
    expect(res.timing.scheduleMs).toBeGreaterThan(0);
    expect(res.timing.engineMs).toBeGreaterThan(0);
  });

  it('retries with image affinity when the pull is denied (repository does not exist)', async () => {
    const a = new FakeEngine('node-1', '10.0.0.1:2376', noImage);
    a.pullError = engineError(
      0,
      "pull access denied for only-here, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
      'pull',
    );
    const b = new FakeEngine('node-2', '10.0.0.2:2376', ok);
    b.containers.push(cached({ id: hexId('e4'), name: 'busy2' }));
    b.images.push({ Id: 'sha256:oh', RepoTags: ['only-here:latest'] });
    const res = await createContainer(context([a, b]), { Image: 'only-here' }, undefined);
    expect(a.pulls).toEqual(['only-here:latest']);
    expect(res.node).toBe(b);
  });

  it('neither pulls nor retries with image affinity when the create names a missing network', async () => {
    const a = new FakeEngine('node-1', '10.0.0.1:2376', async () => {
      throw engineError(404, 'network nowhere not found', 'create');
    });
    const b = new FakeEngine('node-2', '10.0.0.2:2376', ok);
    b.containers.push(cached({ id: hexId('e5'), name: 'busy3' }));
    b.images.push({ Id: 'sha256:bb', RepoTags: ['busybox:latest'] });
    const err = await createContainer(context([a, b]), { Image: 'busybox' }, undefined).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EngineRequestError);
    expect(err).not.toBeInstanceOf(EngineImageNotFoundError);
    expect(a.pulls).toEqual([]);
    expect(b.creates).toHaveLength(0);
  });

  it('does not add image affinity when node== is pinned', async () => {
    const a = new FakeEngine('node-1', '10.0.0.1:2376', noImage);
    const b = new FakeEngine('node-2', '10.0.0.2:2376', ok);
    b.images.push({ Id: 'sha256:bb', RepoTags: ['busybox:latest'] });
    const err = await createContainer(
      context([a, b]),
      { Image: 'busybox', Env: ['constraint:node==node-1'] },
      undefined,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineImageNotFoundError);
    expect((err as EngineRequestError).status).toBe(404);
    expect((err as Error).message).toMatch(/^No such image: busybox:latest \(pull failed: /);
    expect(b.creates).toHaveLength(0);
  });

  it('retries createretry times, then gives the last error', async () => {
    let calls = 0;
    const flaky = new FakeEngine('node-1', '10.0.0.1:2376', async () => {
      calls++;
      if (calls < 3) throw new EngineRequestError(500, `transient ${calls}`);
      return { Id: hexId('ok') };
    });
    await expect(
      createContainer(context([flaky], 2), { Image: 'busybox' }, undefined),
    ).resolves.toMatchObject({
      Id: hexId('ok'),
    });
    calls = -10;
    await expect(createContainer(context([flaky], 1), { Image: 'busybox' }, undefined)).rejects.toThrow(
      'transient -8',
    );
  });

  it('turns a failed decision into NoNodeAvailableError (500)', async () => {
    const a = new FakeEngine('node-1', '10.0.0.1:2376', ok);
    a.state = 'unhealthy';
    const err = await createContainer(context([a]), { Image: 'busybox' }, undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoNodeAvailableError);
    expect((err as NoNodeAvailableError).httpStatus).toBe(500);
    expect((err as Error).message).toBe('No healthy node available in the cluster');
  });

  it("answers Swarm's texts when the chosen node leaves before the work begins", async () => {
    const a = new FakeEngine('node-1', '10.0.0.1:2376', ok);
    // the node stops being validated between the decision and the engine lookup
    const ctx = context([a], 0, () => {
      (a as { active: boolean }).active = false;
    });
    const err = await createContainer(ctx, { Image: 'busybox' }, 'web').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChosenNodeGoneError);
    expect([(err as Error).message, (err as ChosenNodeGoneError).httpStatus]).toEqual([
      'error creating container',
      500,
    ]);
    expect((err as ChosenNodeGoneError).node).toBe('10.0.0.1:2376');
    expect(a.creates).toHaveLength(0);
    expect(ctx.book.size).toBe(0);
    (a as { active: boolean }).active = true;
    const work = { run: async () => 'ran' };
    const other = await ctx.place(ctx.requestFromEnv([]), work, { reserve: false }).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(ChosenNodeGoneError);
    expect((other as Error).message).toBe('no node available in the cluster');
    (a as { active: boolean }).active = true;
    const named = await ctx
      .place(ctx.requestFromEnv([]), work, { reserve: false, work: 'create' })
      .catch((e: unknown) => e);
    expect((named as Error).message).toBe('error creating container');
  });

  it('sends the cleaned body with a swarm ID', async () => {
    const a = new FakeEngine('node-1', '10.0.0.1:2376', ok);
    await createContainer(
      context([a]),
      { Image: 'busybox', Env: ['constraint:node==node-1', 'X=1'] },
      undefined,
    );
    expect(a.creates[0]?.body.Env).toEqual(['X=1']);
    expect(a.creates[0]?.body.Labels?.['com.docker.swarm.id']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps an explanation of each placement, by container ID, and a bounded number of them', async () => {
    let n = 0;
    const a = new FakeEngine('node-1', '10.0.0.1:2376', async () => ({ Id: hexId(`e${++n}f`) }));
    const b = new FakeEngine('node-2', '10.0.0.2:2376', ok);
    b.state = 'unhealthy';
    const ctx = context([a, b]);
    const res = await createContainer(ctx, { Image: 'busybox' }, 'explained');
    expect(ctx.explanationOf(res.Id)).toEqual({
      container: res.Id,
      node: 'node-1',
      strategy: 'fewest',
      filters: ['health'],
      at: new Date(1_700_000_000_000).toISOString(),
      summary: '1/2 nodes are available',
      nodes: [
        { name: 'node-1', id: 'ID-node-1', addr: '10.0.0.1:2376', verdict: 'chosen', score: 0, rank: 1 },
        {
          name: 'node-2',
          id: 'ID-node-2',
          addr: '10.0.0.2:2376',
          verdict: 'rejected',
          filter: 'health',
          reason: 'node is unhealthy',
        },
      ],
    });
    const ids = [res.Id];
    for (let i = 0; i < 300; i++) ids.push((await createContainer(ctx, { Image: 'busybox' }, undefined)).Id);
    expect(ctx.explanationOf(ids[0]!)).toBeUndefined();
    expect(ctx.explanationOf(ids.at(-1)!)?.node).toBe('node-1');
    expect(ids.filter((id) => ctx.explanationOf(id) !== undefined)).toHaveLength(256);
  });

  it('plans without reserving or creating anything', async () => {
    const a = new FakeEngine('node-1', '10.0.0.1:2376', ok);
    const ctx = context([a]);
    const plan = ctx.plan({ Image: 'busybox', Env: ['constraint:node==node-2'] });
    expect(plan).toMatchObject({ node: null, summary: '0/1 nodes are available' });
    expect(plan.error).toBe('No healthy node available in the cluster');
    expect(ctx.plan({ Image: 'busybox' }).node).toBe('node-1');
    expect(a.creates).toHaveLength(0);
    expect(ctx.book.size).toBe(0);
  });

  it('reports each decision it acts on, failed ones included, and never a plan', async () => {
    const seen: boolean[] = [];
    const a = new FakeEngine('node-1', '10.0.0.1:2376', ok);
    const ctx = context([a], 0, (d, seconds) => {
      expect(seconds).toBeGreaterThanOrEqual(0);
      seen.push(d.ok);
    });
    ctx.plan({ Image: 'busybox' });
    ctx.plan({ Image: 'busybox', Env: ['constraint:node==node-2'] });
    expect(seen).toEqual([]);
    await createContainer(ctx, { Image: 'busybox' }, undefined);
    await createContainer(ctx, { Image: 'busybox', Env: ['constraint:node==node-2'] }, undefined).catch(
      () => undefined,
    );
    expect(seen).toEqual([true, false]);
  });
});
