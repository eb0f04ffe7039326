import { describe, expect, it } from 'vitest';
import type { EngineClient } from '../engine/engine-client.js';
import { EngineNotFoundError } from '../engine/errors.js';
import { cached, hexId } from '../testkit/cluster-fixtures.js';
import type { CachedContainer } from './engine-cache.js';
import { EngineCache } from './engine-cache.js';

/**
 * An engine whose answers are held until the test releases them, each answering from the state the engine had when
 * the call was made (as a real engine does), so the test decides in which order the answers reach the cache.
 */
class ScriptedEngine {
  /** The engine's containers now. */
  containers: CachedContainer[] = [];
  private readonly held: { path: string; release: () => void }[] = [];

  get client(): EngineClient {
    return {
      json: (method: string, path: string, body: unknown, opts?: { query?: Record<string, unknown> }) =>
        this.json(method, path, body, opts),
    } as unknown as EngineClient;
  }

  /** Calls waiting for {@link release}. */
  get waiting(): string[] {
    return this.held.map((h) => h.path);
  }

  /** Lets call `i` (in the order they were made) answer, and waits until the cache took the answer. */
  async release(i: number): Promise<void> {
    const [h] = this.held.splice(i, 1);
    h?.release();
    for (let k = 0; k < 10; k++) await Promise.resolve();
    await new Promise((r) => setImmediate(r));
  }

  private json(
    _m: string,
    path: string,
    _b: unknown,
    opts?: { query?: Record<string, unknown> },
  ): Promise<unknown> {
    // the answer is what the engine holds at call time
    const snapshot = this.containers.map((c) => structuredClone(c));
    let answer: () => unknown;
    const inspect = /^\/containers\/([^/]+)\/json$/.exec(path);
    if (inspect) {
      const c = snapshot.find((x) => x.summary.Id === inspect[1]);
      answer = () => {
        if (!c) throw new EngineNotFoundError(404, `No such container: ${inspect[1]}`);
        return c.info;
      };
    } else {
      const filters = opts?.query?.filters
        ? (JSON.parse(String(opts.query.filters)) as { id: string[] })
        : undefined;
      const list = snapshot.map((c) => c.summary).filter((s) => !filters || filters.id.includes(s.Id));
      answer = () => list;
    }
    return new Promise((resolve, reject) => {
      this.held.push({
        path,
        release: () => {
          try {
            resolve(answer());
          } catch (err) {
            reject(err);
          }
        },
      });
    });
  }
}

const ID = hexId('9a');
const running = () => cached({ id: ID, name: 'g3', state: 'running' });
const exited = () => cached({ id: ID, name: 'g3', state: 'exited' });

async function settle(p: Promise<unknown>): Promise<void> {
  await p.catch(() => undefined);
}

describe('EngineCache answer ordering', () => {
  it('reads a container asked for during a read of it once more, after that read, for every caller in between', async () => {
    const e = new ScriptedEngine();
    const cache = new EngineCache(e.client, undefined, undefined, undefined, 8);
    e.containers = [running()];
    // the start's own refresh is asked for while the container still runs...
    const startRefresh = cache.refreshContainer(ID);
    // ...then the container exits: its `die` and `stop` events each ask for a read
    e.containers = [exited()];
    const dieRefresh = cache.refreshContainer(ID);
    const stopRefresh = cache.refreshContainer(ID);
    expect(stopRefresh).toBe(dieRefresh);
    // one read (list + inspect) at a time; the second starts only once the first has answered
    expect(e.waiting).toHaveLength(2);
    await e.release(1);
    await e.release(0);
    await settle(startRefresh);
    expect(cache.container(ID)?.info.State.Running).toBe(true);
    expect(e.waiting).toHaveLength(2);
    await e.release(1);
    await e.release(0);
    await settle(dieRefresh);
    expect(cache.container(ID)?.info.State.Running).toBe(false);
    expect(cache.container(ID)?.summary.State).toBe('exited');
    expect(await dieRefresh).toBe(cache.container(ID));
    expect(e.waiting).toHaveLength(0);
    // nothing in flight: the next caller reads at once
    const later = cache.refreshContainer(ID);
    expect(e.waiting).toHaveLength(2);
    await e.release(0);
    await e.release(0);
    await settle(later);
  });

  it('applies answers that arrive in the order they were asked for', async () => {
    const e = new ScriptedEngine();
    const cache = new EngineCache(e.client, undefined, undefined, undefined, 8);
    e.containers = [running()];
    const first = cache.refreshContainer(ID);
    e.containers = [exited()];
    const second = cache.refreshContainer(ID);
    await e.release(0);
    await e.release(0);
    await settle(first);
    expect(cache.container(ID)?.info.State.Running).toBe(true);
    await e.release(0);
    await e.release(0);
    await settle(second);
    expect(cache.container(ID)?.info.State.Running).toBe(false);
  });

  it('keeps an older full list from undoing a newer single read, in place or by dropping', async () => {
    const e = new ScriptedEngine();
    const cache = new EngineCache(e.client, undefined, undefined, undefined, 8);
    e.containers = [running()];
    const warm = cache.refreshContainers();
    await e.release(0);
    await e.release(0);
    await settle(warm);
    // a periodic list is asked for while the container runs; a read after its die event answers first
    const periodic = cache.refreshContainers();
    e.containers = [exited()];
    const dieRefresh = cache.refreshContainer(ID);
    await e.release(1);
    await e.release(1);
    await settle(dieRefresh);
    expect(cache.container(ID)?.summary.State).toBe('exited');
    await e.release(0);
    await settle(periodic);
    expect(cache.container(ID)?.summary.State).toBe('exited');
    expect(cache.container(ID)?.summary.Status).toMatch(/^Exited/);
  });

  it('does not bring back a removed container from an answer asked for before the removal', async () => {
    const e = new ScriptedEngine();
    const cache = new EngineCache(e.client, undefined, undefined, undefined, 8);
    e.containers = [running()];
    const early = cache.refreshContainer(ID);
    e.containers = [];
    cache.removeContainer(ID); // the destroy event
    await e.release(0);
    await e.release(0);
    await settle(early);
    expect(cache.container(ID)).toBeUndefined();
    // a read asked for later finds it again if the engine (somehow) has it
    e.containers = [running()];
    const later = cache.refreshContainer(ID);
    await e.release(0);
    await e.release(0);
    await settle(later);
    expect(cache.container(ID)?.info.State.Running).toBe(true);
  });

  it('keeps a container recorded by the manager from a list asked for before its create, and lets any read replace it', async () => {
    const e = new ScriptedEngine();
    const cache = new EngineCache(e.client, undefined, undefined, undefined, 8);
    const periodic = cache.refreshContainers(); // asked for before the create: the engine has nothing yet
    e.containers = [running()];
    const eventRead = cache.refreshContainer(ID); // the create event's read, before the create call returned
    cache.addProvisional(ID, 'g3', { Image: 'busybox' }, 1_700_000_000_000);
    await e.release(0);
    await settle(periodic);
    expect(cache.container(ID)?.summary.State).toBe('created');
    await e.release(0);
    await e.release(0);
    await settle(eventRead);
    expect(cache.container(ID)?.summary.State).toBe('running');
  });
});
