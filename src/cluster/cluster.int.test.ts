import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineRequestError } from '../engine/errors.js';
import { createCa, issueLeaf, readCa } from '../machine/certs/index.js';
import { findVolumes } from '../scheduler/lookup.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { bootTestHosts, type TestHosts } from '../testkit/hosts.js';
import { Cluster } from './cluster.js';
import type { Engine } from './engine.js';
import { NameConflictError, NoNodeAvailableError, NoSuchContainerError } from './errors.js';
import type { ClusterEvent } from './events.js';
import type { CreateResult } from './placement.js';

// Three real dockerd hosts in network namespaces (prefix shc, subnet 10.233.0.0/24), reached over mutual TLS
// with the store's client certificate, as the manager does.
const NAMES = ['shc1', 'shc2', 'shc3'] as const;
let kit: TestHosts;
let cluster: Cluster;
const events: ClusterEvent<Engine>[] = [];
const logLines: { msg?: string; err?: string }[] = [];

/** Polls `cond` until it holds; fails with `what` after `limitMs` (a guard against hangs, not a speed check). */
async function waitFor(what: string, cond: () => boolean, limitMs = 90_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function byName(name: string): Engine {
  const e = cluster.engines().find((x) => x.name === name);
  if (!e) throw new Error(`no engine ${name}`);
  return e;
}

/** The container `ref` names, by the cluster's lookup; throws the 404 error when none. */
function mustFind(ref: string) {
  const found = cluster.findContainer(ref);
  if (!found) throw new NoSuchContainerError(ref);
  return found;
}

function swarmEvents(action: string, node: string): number {
  return events.filter((e) => e.swarm === action && e.engine.name === node).length;
}

function addrs(names: readonly string[]): string[] {
  return names.map((n) => `${kit.hosts.find((h) => h.name === n)!.ip}:2376`);
}

beforeAll(async () => {
  kit = await bootTestHosts({
    prefix: 'shc',
    subnet: '10.233.0.0/24',
    hosts: NAMES.map((name, i) => ({ name, labels: [`zone=z${i + 1}`] })),
  });
  for (const h of kit.hosts) await kit.loadBusybox(h);
  const pem = (f: string) => readFile(join(kit.certDir, f), 'utf8');
  cluster = new Cluster({
    scheduler: new Scheduler({ strategy: 'spread' }),
    tls: { ca: await pem('ca.pem'), cert: await pem('cert.pem'), key: await pem('key.pem'), verify: true },
    refreshMinMs: 1000,
    refreshMaxMs: 2000,
    failureRetry: 2,
    engineTimeoutMs: 5000,
    logger: pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line)) }),
  });
  cluster.events.subscribe((e) => events.push(e));
  await cluster.updateEntries(addrs(NAMES));
  await waitFor('three healthy engines', () => cluster.engines().every((e) => e.state === 'healthy'));
});

afterAll(async () => {
  try {
    await cluster?.close();
  } finally {
    await kit?.dispose();
  }
});

describe('Cluster against three real engines', () => {
  it('validates the engines: identity, labels, resources, engine_connect', () => {
    expect(
      cluster
        .engines()
        .map((e) => e.name)
        .sort(),
    ).toEqual([...NAMES]);
    for (const [i, name] of NAMES.entries()) {
      const e = byName(name);
      expect(e.id).toMatch(/^[A-Z0-9]{4}(:[A-Z0-9]{4}){11}$/);
      expect(e.labels).toMatchObject({ zone: `z${i + 1}`, ostype: 'linux', provider: 'netns' });
      expect(e.labels.storagedriver).toBeTruthy();
      expect(e.cpus).toBeGreaterThan(0);
      expect(e.memory).toBeGreaterThan(0);
      expect(e.serverVersion).toMatch(/^\d+\.\d+/);
      expect(e.healthIndicator).toBe(100);
      expect(swarmEvents('engine_connect', name)).toBe(1);
      expect(e.cache.images().some((img) => (img.RepoTags ?? []).includes('busybox:latest'))).toBe(true);
    }
    expect(new Set(cluster.engines().map((e) => e.id)).size).toBe(3);
    const engines = [...cluster.engines()].sort((a, b) => a.name.localeCompare(b.name));
    expect(engines.map((e) => e.state)).toEqual(['healthy', 'healthy', 'healthy']);
    expect(engines.map((e) => e.name)).toEqual([...NAMES]);
    expect(engines[0]?.labels.zone).toBe('z1');
    expect(engines.reduce((n, e) => n + e.cpus, 0)).toBeGreaterThanOrEqual(3);
  });

  it('spreads creates over the three nodes and finds them by every lookup form', async () => {
    const created: CreateResult[] = [];
    for (const n of [1, 2, 3]) {
      created.push(
        await cluster.placement.createContainer({ Image: 'busybox', Cmd: ['sleep', '3600'] }, `web${n}`),
      );
    }
    expect(new Set(created.map((c) => c.node.name)).size).toBe(3);
    for (const [i, c] of created.entries()) {
      const where = c.node.name;
      expect(mustFind(`web${i + 1}`).node).toBe(c.node);
      expect(mustFind(`${where}/web${i + 1}`).container.info.Id).toBe(c.Id);
      expect(mustFind(`/web${i + 1}`).container.info.Id).toBe(c.Id);
      expect(mustFind(c.Id.slice(0, 12)).node.name).toBe(where);
      const swarmId = mustFind(c.Id).container.info.Config.Labels?.['com.docker.swarm.id'] ?? '';
      expect(swarmId).toMatch(/^[0-9a-f]{64}$/);
      expect(mustFind(swarmId).container.info.Id).toBe(c.Id);
    }
    expect(() => mustFind(`${created[0]!.node.name === 'shc1' ? 'shc2' : 'shc1'}/web1`)).toThrow(
      NoSuchContainerError,
    );
    const conflict = await cluster.placement
      .createContainer({ Image: 'busybox' }, 'web2')
      .catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(NameConflictError);
    expect((conflict as NameConflictError).httpStatus).toBe(409);
  });

  it('honours constraints through the scheduler and explains impossible ones', async () => {
    const r = await cluster.placement.createContainer(
      { Image: 'busybox', Env: ['constraint:zone==z2'] },
      'pinned',
    );
    expect(r.node.name).toBe('shc2');
    const err = await cluster.placement
      .createContainer({ Image: 'busybox', Env: ['constraint:zone==mars'] }, 'nowhere')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoNodeAvailableError);
    expect((err as Error).message).toContain('Unable to find a node that satisfies the following conditions');
    expect(cluster.findContainer('nowhere')).toBeUndefined();
  });

  it('retries with image affinity when the chosen node lacks the image and cannot pull it', async () => {
    // Tag an image that exists on shc3 only, under a registry address inside this test's own subnet where nothing
    // listens: the pull on any other node fails at once, and the create must land on shc3.
    const tag = '10.233.0.1:1/only-on-3:1';
    const h3 = kit.hosts.find((h) => h.name === 'shc3')!;
    expect((await kit.docker(h3, ['tag', 'busybox:latest', tag])).code).toBe(0);
    await waitFor('shc3 image cache', () =>
      byName('shc3')
        .cache.images()
        .some((i) => i.RepoTags?.includes(tag)),
    );
    // Make shc3 the least attractive node for spread so the first choice is elsewhere.
    await cluster.placement.createContainer({ Image: 'busybox', Env: ['constraint:node==shc3'] }, 'filler3');
    const r = await cluster.placement.createContainer({ Image: tag, Cmd: ['true'] }, 'affine');
    expect(r.node.name).toBe('shc3');
    const retry = logLines.find((l) => l.msg === 'Image missing, retrying with image affinity');
    expect(retry?.err).toMatch(/^No such image: 10\.233\.0\.1:1\/only-on-3:1 \(pull failed: /);
    const missing = await cluster.placement
      .createContainer({ Image: '10.233.0.1:1/nowhere:1', Env: ['constraint:node==shc1'] }, 'ghost')
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(EngineRequestError);
    expect((missing as EngineRequestError).status).toBe(404);
    expect((missing as Error).message).toContain('No such image');
  });

  it('streams engine events annotated with the node, and keeps the cache fresh from them', async () => {
    const web1 = mustFind('web1');
    const seen = events.length;
    await web1.node.client.json('POST', `/containers/${web1.container.info.Id}/start`);
    await waitFor('start event', () =>
      events
        .slice(seen)
        .some((e) => e.message.Action === 'start' && e.message.Actor?.ID === web1.container.info.Id),
    );
    const ev = events.slice(seen).find((e) => e.message.Action === 'start')!;
    expect(ev.message.from).toBe(`busybox node:${web1.node.name}`);
    expect(ev.message.Actor?.Attributes?.['node.name']).toBe(web1.node.name);
    expect(ev.message.Actor?.Attributes?.['node.addr']).toBe(web1.node.addr);
    expect(ev.message.node).toEqual({
      Name: web1.node.name,
      Id: web1.node.id,
      Addr: web1.node.addr,
      Ip: web1.node.ip,
    });
    await waitFor('cache shows web1 running', () => mustFind('web1').container.info.State.Running);
    expect(web1.node.cache.stats().running).toBeGreaterThanOrEqual(1);

    // changes made behind the manager's back reach the cache through the events too
    const host = kit.hosts.find((h) => h.name === web1.node.name)!;
    expect((await kit.docker(host, ['create', '--name', 'sideways', 'busybox'])).code).toBe(0);
    await waitFor('sideways cached', () => cluster.findContainer(`${host.name}/sideways`) !== undefined);
    expect((await kit.docker(host, ['rm', 'sideways'])).code).toBe(0);
    await waitFor('sideways dropped', () => cluster.findContainer('sideways') === undefined);
    expect((await kit.docker(host, ['volume', 'create', 'vol-side'])).code).toBe(0);
    const volumes = () =>
      cluster.activeEngines().flatMap((node) => node.cache.volumes().map((volume) => ({ node, volume })));
    await waitFor('volume cached', () => volumes().some((v) => v.volume.Name === 'vol-side'));
    expect(findVolumes(volumes(), `${host.name}/vol-side`).map((v) => v.node)).toEqual([web1.node]);
  });

  it('marks a killed engine unhealthy after the failure retry, avoids it, and reconnects when it is back', async () => {
    const h2 = kit.hosts.find((h) => h.name === 'shc2')!;
    const e2 = byName('shc2');
    const killedAt = Date.now();
    await h2.killEngine();
    await waitFor('shc2 unhealthy', () => e2.state === 'unhealthy');
    const detectMs = Date.now() - killedAt;
    expect(swarmEvents('engine_disconnect', 'shc2')).toBe(1);
    expect(e2.failureCount).toBeGreaterThanOrEqual(2);
    expect(e2.lastError).not.toBe('');
    expect(e2.healthIndicator).toBe(0);
    // containers of the dead node stay listed
    expect(cluster.findContainer('pinned')?.node).toBe(e2);

    const placed: string[] = [];
    for (const n of [1, 2, 3])
      placed.push((await cluster.placement.createContainer({ Image: 'busybox' }, `avoid${n}`)).node.name);
    expect(placed).not.toContain('shc2');
    const pinned = await cluster.placement
      .createContainer({ Image: 'busybox', Env: ['constraint:node==shc2'] }, 'unreachable')
      .catch((e: unknown) => e);
    expect(pinned).toBeInstanceOf(NoNodeAvailableError);

    const startedAt = Date.now();
    await h2.startEngine();
    const engineUpMs = Date.now() - startedAt;
    await waitFor('shc2 healthy again', () => e2.state === 'healthy');
    console.info(
      `failure detection ${detectMs} ms (retry 2, refresh 1-2 s); engine restart ${engineUpMs} ms, healthy after ${Date.now() - startedAt} ms`,
    );
    expect(swarmEvents('engine_reconnect', 'shc2')).toBe(1);
    expect(e2.failureCount).toBe(0);
    expect(e2.lastError).toBe('');
    const again = await cluster.placement.createContainer(
      { Image: 'busybox', Env: ['constraint:node==shc2'] },
      'back2',
    );
    expect(again.node).toBe(e2);
  });

  it('creates through the scheduler about as fast as directly on an engine (numbers printed)', async () => {
    const e1 = byName('shc1');
    const viaCluster: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < 10; i++) {
      let t = performance.now();
      const r = await cluster.placement.createContainer(
        { Image: 'busybox', Env: ['constraint:node==shc1'] },
        `timed-c${i}`,
      );
      viaCluster.push(performance.now() - t);
      expect(r.node).toBe(e1);
      t = performance.now();
      const d = await e1.client.json<{ Id: string }>(
        'POST',
        '/containers/create',
        { Image: 'busybox' },
        {
          query: { name: `timed-d${i}` },
        },
      );
      direct.push(performance.now() - t);
      expect(d.Id).toMatch(/^[0-9a-f]{64}$/);
    }
    await waitFor(
      'direct creates cached from events',
      () => cluster.findContainer('shc1/timed-d9') !== undefined,
    );
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.info(
      `create median: cluster ${median(viaCluster).toFixed(1)} ms, direct ${median(direct).toFixed(1)} ms (10 each, alternating)`,
    );
  });

  it('drops an engine removed from discovery and validates it again when it returns', async () => {
    const e3 = byName('shc3');
    await cluster.updateEntries(addrs(['shc1', 'shc2']));
    expect(
      cluster
        .engines()
        .map((e) => e.name)
        .sort(),
    ).toEqual(['shc1', 'shc2']);
    expect(e3.state).toBe('disconnected');
    expect(swarmEvents('engine_disconnect', 'shc3')).toBe(1);
    expect(cluster.findContainer('affine')).toBeUndefined();

    await cluster.updateEntries(addrs(NAMES));
    const back = cluster.engines().find((e) => e.addr === e3.addr)!;
    expect(back).not.toBe(e3);
    await waitFor('shc3 healthy again', () => back.state === 'healthy');
    expect(swarmEvents('engine_connect', 'shc3')).toBe(2);
    expect(mustFind('affine').node).toBe(back);
  });
});

describe('TLS between the manager and engines', () => {
  /** A one-engine cluster against shc1 with the given TLS material; resolves once validation settled. */
  async function against(tls: {
    ca: string;
    cert: string;
    key: string;
    verify: boolean;
  }): Promise<{ state: string; name: string; lastError: string }> {
    const c = new Cluster({
      scheduler: new Scheduler(),
      tls,
      engineTimeoutMs: 5000,
      logger: pino({ level: 'silent' }),
    });
    try {
      await c.updateEntries(addrs(['shc1']));
      const e = c.engines()[0]!;
      await c.validate(e);
      return { state: e.state, name: e.name, lastError: e.lastError };
    } finally {
      await c.close();
    }
  }

  it('accepts a manager certificate with serverAuth and clientAuth issued by the store CA', async () => {
    const ca = await readCa(join(kit.certDir, 'ca.pem'), join(kit.certDir, 'ca-key.pem'));
    const mgr = await issueLeaf(ca, {
      organization: 'shoal manager',
      serverAuth: true,
      clientAuth: true,
      hosts: ['127.0.0.1', 'localhost'],
    });
    const caPem = await readFile(join(kit.certDir, 'ca.pem'), 'utf8');
    const e = await against({ ca: caPem, cert: mgr.certPem, key: mgr.keyPem, verify: true });
    expect(e).toEqual({ state: 'healthy', name: 'shc1', lastError: '' });
  });

  it('explains an engine certificate from another CA and a client certificate the engine rejects', async () => {
    const other = await createCa({ organization: 'elsewhere' });
    const stranger = await issueLeaf(other, {
      organization: 'stranger',
      serverAuth: false,
      clientAuth: true,
    });
    const own = (f: string) => readFile(join(kit.certDir, f), 'utf8');
    const unknownCa = await against({
      ca: other.certPem,
      cert: await own('cert.pem'),
      key: await own('key.pem'),
      verify: true,
    });
    expect(unknownCa.state).toBe('pending');
    expect(unknownCa.lastError).toContain('x509: certificate signed by unknown authority');
    const rejected = await against({
      ca: other.certPem,
      cert: stranger.certPem,
      key: stranger.keyPem,
      verify: false,
    });
    expect(rejected.state).toBe('pending');
    expect(rejected.lastError).toMatch(/bad certificate|unknown ca|connection reset/);
  });
});
