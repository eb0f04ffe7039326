import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedEngine } from './simulated-engine.js';

describe('SimulatedEngine', () => {
  const engine = new SimulatedEngine({ name: 'sim-1', cpus: 2, labels: { region: 'eu' }, containers: 3 });
  const url = (p: string) => `http://${engine.addr}${p}`;
  beforeAll(() => engine.start());
  afterAll(() => engine.stop());

  it('answers ping, version and info with labels and counts', async () => {
    expect(await (await fetch(url('/_ping'))).text()).toBe('OK');
    expect(await (await fetch(url('/v1.41/version'))).json()).toMatchObject({ ApiVersion: '1.41' });
    const info = (await (await fetch(url('/info'))).json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      Name: 'sim-1',
      NCPU: 2,
      Labels: ['region=eu'],
      Containers: 3,
      ContainersRunning: 2,
    });
    expect(info.ID).toMatch(/^([0-9A-F]{4}:){11}[0-9A-F]{4}$/);
  });

  it('lists running or all containers and inspects one', async () => {
    const running = (await (await fetch(url('/containers/json'))).json()) as { Id: string }[];
    const all = (await (await fetch(url('/containers/json?all=1'))).json()) as { Id: string }[];
    expect([running.length, all.length]).toEqual([2, 3]);
    const inspect = (await (await fetch(url(`/containers/${all[1]!.Id}/json`))).json()) as Record<
      string,
      unknown
    >;
    expect(inspect).toMatchObject({ Id: all[1]!.Id, State: { Status: 'exited', Running: false } });
    expect((await fetch(url('/containers/nope/json'))).status).toBe(404);
  });

  it('creates and starts a container, streaming events', async () => {
    const ac = new AbortController();
    const events = await fetch(url('/events'), { signal: ac.signal });
    const reader = events.body!.getReader();
    const created = await fetch(url('/containers/create?name=web'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Image: 'busybox', Labels: { a: 'b' } }),
    });
    expect(created.status).toBe(201);
    const { Id } = (await created.json()) as { Id: string };
    expect((await fetch(url(`/containers/${Id}/start`), { method: 'POST' })).status).toBe(204);
    let text = '';
    while (!text.includes('"start"')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('"Action":"create"');
    ac.abort();
    const dup = await fetch(url('/containers/create?name=web'), { method: 'POST', body: '{}' });
    expect(dup.status).toBe(409);
    expect(engine.size).toBe(4);
    expect(engine.calls.get('POST /containers/create')).toBe(2);
  });
});
