import { describe, expect, it } from 'vitest';
import { seededRng } from '../util/rng.js';
import {
  InvalidCreateBodyError,
  InvalidExpressionError,
  InvalidReschedulePolicyError,
  InvalidSwarmLabelError,
} from './errors.js';
import { buildPlacementRequest, type CreateBody, lenientJson, readCreateBody } from './request.js';

const rng = seededRng(11);
const build = (body: CreateBody, name?: string) => buildPlacementRequest(body, name, rng);

describe('buildPlacementRequest', () => {
  it('moves swarm env entries into labels, merging label lists first', () => {
    const input: CreateBody = {
      Image: 'busybox',
      Env: [
        'A=1',
        'constraint:region==eu',
        'affinity:container==~db',
        'reschedule:on-node-failure',
        'whitelist:node==n1|n2',
        'PATH=/a:b',
      ],
      Labels: { 'com.docker.swarm.constraints': '["disk==ssd"]', app: 'x' },
    };
    const { request, body, swarmId, reschedulePolicy } = build(input, '/web');
    expect(body.Env).toEqual(['A=1', 'PATH=/a:b']);
    expect(body.Labels).toEqual({
      app: 'x',
      'com.docker.swarm.constraints': '["disk==ssd","region==eu"]',
      'com.docker.swarm.affinities': '["container==~db"]',
      'com.docker.swarm.reschedule-policies': '["on-node-failure"]',
      'com.docker.swarm.whitelists': '["node==n1|n2"]',
      'com.docker.swarm.id': swarmId,
    });
    expect(swarmId).toMatch(/^[0-9a-f]{64}$/);
    expect(reschedulePolicy).toBe('on-node-failure');
    expect(request.name).toBe('web');
    expect(request.constraints.map((e) => e.text)).toEqual(['disk==ssd', 'region==eu']);
    expect(request.affinities[0]).toMatchObject({ key: 'container', value: 'db', soft: true });
    expect(request.whitelists[0]?.value).toBe('n1|n2');
    expect(request.labels).toBe(body.Labels);
    // the input is not modified
    expect(input.Env).toHaveLength(6);
    expect(input.Labels).not.toHaveProperty('com.docker.swarm.id');
  });

  it('draws a new swarm ID for every create, from the injected rng', () => {
    const a = buildPlacementRequest({}, undefined, seededRng(1)).swarmId;
    const b = buildPlacementRequest({}, undefined, seededRng(1)).swarmId;
    const c = buildPlacementRequest(
      { Labels: { 'com.docker.swarm.id': a } },
      undefined,
      seededRng(2),
    ).swarmId;
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('keeps a given swarm ID (a container re-created elsewhere)', () => {
    const kept = 'f'.repeat(64);
    const built = buildPlacementRequest({ Labels: { x: '1' } }, 'web', seededRng(3), { swarmId: kept });
    expect(built.swarmId).toBe(kept);
    expect(built.request.labels['com.docker.swarm.id']).toBe(kept);
    expect(built.body.Labels).toEqual({ x: '1', 'com.docker.swarm.id': kept });
  });

  it('reads resources: CpuShares is a CPU count, NanoCpus as a fallback, old top-level fields folded', () => {
    expect(build({ HostConfig: { CpuShares: 2, Memory: 1024 } }).request).toMatchObject({
      cpus: 2,
      memory: 1024,
    });
    expect(build({ HostConfig: { NanoCpus: 1.5e9 } }).request.cpus).toBe(1.5);
    const old = build({ Memory: 512, CpuShares: 1, MemorySwap: 1024, Cpuset: '0', HostConfig: null });
    expect(old.request).toMatchObject({ cpus: 1, memory: 512 });
    expect(old.body).not.toHaveProperty('Memory');
    expect(old.body).not.toHaveProperty('CpuShares');
    expect(old.body.HostConfig).toEqual({ Memory: 512, CpuShares: 1, MemorySwap: 1024, CpusetCpus: '0' });
    // HostConfig wins over the old location
    expect(build({ Memory: 512, HostConfig: { Memory: 2048 } }).request.memory).toBe(2048);
  });

  it('reads ports, network mode and dependencies', () => {
    const { request } = build({
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      HostConfig: {
        NetworkMode: 'container:db',
        PortBindings: {
          '80/tcp': [{ HostIp: '10.0.0.1', HostPort: '8080' }, { HostPort: '' }],
          '53/udp': null,
        },
        VolumesFrom: ['data:ro'],
        Links: ['db:database'],
      },
    });
    expect(request.portBindings).toEqual([
      { containerPort: '80/tcp', hostIp: '10.0.0.1', hostPort: '8080' },
      { containerPort: '80/tcp', hostIp: '', hostPort: '' },
    ]);
    expect(request.exposedPorts).toEqual(['80/tcp', '53/udp']);
    expect(request.networkMode).toBe('container:db');
    expect(request.dependencies).toEqual({
      volumesFrom: ['data:ro'],
      links: ['db:database'],
      netContainer: 'db',
    });
    expect(build({}).request.networkMode).toBe('default');
    expect(build({}).request.dependencies).toEqual({ volumesFrom: [], links: [] });
  });

  it.each<[string, CreateBody, RegExp]>([
    ['unknown policy', { Env: ['reschedule:always'] }, /^invalid reschedule policy: always$/],
    [
      'two policies',
      { Env: ['reschedule:off', 'reschedule:on-node-failure'] },
      /^too many reschedule policies$/,
    ],
    [
      'bad policy in a label',
      { Labels: { 'com.docker.swarm.reschedule-policies': '["x"]' } },
      /invalid reschedule/,
    ],
  ])('rejects %s (400)', (_t, body, msg) => {
    expect(() => build(body)).toThrow(msg);
    expect(() => build(body)).toThrow(InvalidReschedulePolicyError);
    expect(new InvalidReschedulePolicyError('x').httpStatus).toBe(400);
  });

  it('accepts the two valid policies', () => {
    expect(build({ Env: ['reschedule:off'] }).reschedulePolicy).toBe('off');
    expect(build({}).reschedulePolicy).toBe('off');
  });

  it.each<[string, CreateBody, new (...a: never[]) => Error, RegExp]>([
    ['bad expression in env', { Env: ['constraint:region=eu'] }, InvalidExpressionError, /One of operator/],
    [
      'bad key in a label',
      { Labels: { 'com.docker.swarm.affinities': '["x==y"]' } },
      InvalidExpressionError,
      /Key 'x'/,
    ],
    [
      'label not JSON',
      { Labels: { 'com.docker.swarm.constraints': 'region==eu' } },
      InvalidSwarmLabelError,
      /JSON array/,
    ],
    [
      'label not an array of strings',
      { Labels: { 'com.docker.swarm.constraints': '[1]' } },
      InvalidSwarmLabelError,
      /JSON array/,
    ],
  ])('rejects %s (400)', (_t, body, cls, msg) => {
    expect(() => build(body)).toThrow(cls);
    expect(() => build(body)).toThrow(msg);
  });
});

describe('readCreateBody', () => {
  const bad: [string, Record<string, unknown>, string][] = [
    ['NetworkingConfig as an array', { NetworkingConfig: [] }, 'NetworkingConfig'],
    ['NetworkingConfig as a string', { NetworkingConfig: 'x' }, 'NetworkingConfig'],
    ['EndpointsConfig as an array', { NetworkingConfig: { EndpointsConfig: [1] } }, 'EndpointsConfig'],
    ['an endpoint as a number', { NetworkingConfig: { EndpointsConfig: { n: 1 } } }, 'EndpointsConfig'],
    ['HostConfig as an array', { HostConfig: [] }, 'HostConfig'],
  ];
  it.each(bad)('refuses %s with a 400', (_, body, field) => {
    expect(() => readCreateBody(body)).toThrow(InvalidCreateBodyError);
    expect(() => readCreateBody(body)).toThrow(field);
  });

  it('accepts null and object networking configs', () => {
    for (const body of [
      { NetworkingConfig: null },
      { NetworkingConfig: {} },
      { NetworkingConfig: { EndpointsConfig: null } },
      { NetworkingConfig: { EndpointsConfig: { n: null, m: { Aliases: ['a'] } } } },
    ])
      expect(readCreateBody(body)).toBe(body);
  });
});

describe('escaped swarm labels', () => {
  it('reads the shell history escape \\! as ! and honours the rule', () => {
    const { request, body } = build({
      Image: 'busybox',
      Labels: { 'com.docker.swarm.affinities': '["container\\!=c1"]' },
    });
    expect(body.Labels?.['com.docker.swarm.affinities']).toBe('["container!=c1"]');
    expect(request.affinities).toHaveLength(1);
    expect(JSON.stringify(request.affinities[0])).toContain('c1');
  });
  it.each([
    ['["a\\!b"]', '["a!b"]'],
    ['["a\\\\!b"]', '["a\\\\!b"]'],
    ['["a\\"b"]', '["a\\"b"]'],
    ['["\\u0041"]', '["\\u0041"]'],
  ])('lenientJson(%s) = %s', (raw, want) => {
    expect(lenientJson(raw)).toBe(want);
  });
});
