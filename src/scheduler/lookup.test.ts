import { describe, expect, it } from 'vitest';
import {
  type ContainerKeys,
  findContainer as find,
  findNetwork,
  findVolumes,
  imageMatches,
  type LookupNode,
  normalizeImageRef,
} from './lookup.js';

/** A 64-hex ID starting with `prefix`. */
const hexId = (prefix: string) => prefix.padEnd(64, '0');

interface Entry {
  readonly node: LookupNode;
  readonly id: string;
  readonly swarmId?: string;
  readonly names: readonly string[];
}
const keys: ContainerKeys<Entry> = {
  id: (e) => e.id,
  swarmId: (e) => e.swarmId,
  names: (e) => e.names,
  node: (e) => e.node,
};
const findContainer = (all: readonly Entry[], ref: string) => find(all, ref, keys);
const entry = (node: LookupNode, id: string, name: string, swarmId?: string): Entry => ({
  node,
  id: hexId(id),
  names: [`/${name}`],
  ...(swarmId ? { swarmId: hexId(swarmId) } : {}),
});

const n1 = { id: 'AAAA:BBBB', name: 'node-1' };
const n2 = { id: 'CCCC:DDDD', name: 'node-2' };
const web = entry(n1, 'abc123', 'web', '5a1');
const db = entry(n2, 'abd456', 'db', '5b2');
const dup1 = entry(n1, 'f00001', 'twin');
const dup2 = entry(n2, 'f00002', 'twin');
const all = [web, db, dup1, dup2];

describe('findContainer (Swarm lookup rules)', () => {
  it.each([
    ['full ID', hexId('abc123'), web],
    ['12-char short ID', hexId('abc123').slice(0, 12), web],
    ['swarm ID', hexId('5a1'), web],
    ['short swarm ID', hexId('5b2').slice(0, 12), db],
    ['name', 'web', web],
    ['/name', '/web', web],
    ['node/name', 'node-2/db', db],
    ['engineID/name', 'CCCC:DDDD/db', db],
    ['unique ID prefix', 'abc1', web],
    ['unique swarm-ID prefix', '5b', db],
    ['ambiguous ID prefix', 'ab', undefined],
    ['ambiguous name', 'twin', undefined],
    ['disambiguated by node', 'node-2/twin', dup2],
    ['wrong node', 'node-1/db', undefined],
    ['unknown', 'nope', undefined],
    ['empty', '', undefined],
  ])('%s', (_label, ref, want) => {
    expect(findContainer(all, ref)).toBe(want);
  });

  it('prefers a full ID over a name equal to another ID', () => {
    const trick = entry(n2, '999', hexId('abc123'));
    expect(findContainer([trick, web], hexId('abc123'))).toBe(web);
  });

  it('reads names with or without the leading slash, and link aliases as `container/alias`', () => {
    const bare = { ...entry(n1, '77', 'x'), names: ['plain', '/app/db'] };
    expect(findContainer([bare], '/plain')).toBe(bare);
    expect(findContainer([bare], 'app/db')).toBe(bare);
    expect(findContainer([bare], 'db')).toBeUndefined();
  });

  it('prefers an exact swarm ID over a name and a unique prefix', () => {
    const named = entry(n1, '12', hexId('5a1'));
    expect(findContainer([named, web], hexId('5a1'))).toBe(web);
  });
});

describe('imageMatches', () => {
  const img = {
    Id: 'sha256:7d0a3e5c0b2f',
    RepoTags: ['busybox:latest', 'registry.local:5000/tools/bb:1.36'],
    RepoDigests: ['busybox@sha256:feed'],
  };
  it.each([
    ['busybox', true],
    ['busybox:latest', true],
    ['docker.io/library/busybox', true],
    ['busybox:1.0', false],
    ['registry.local:5000/tools/bb:1.36', true],
    ['registry.local:5000/tools/bb', false],
    ['7d0a', true],
    ['sha256:7d0a3e5c0b2f', true],
    ['busybox@sha256:feed', true],
    ['alpine', false],
    ['', false],
  ])('%s → %s', (ref, want) => {
    expect(imageMatches(img, ref)).toBe(want);
  });

  it('normalizes tags', () => {
    expect(normalizeImageRef('a/b')).toBe('a/b:latest');
    expect(normalizeImageRef('host:5000/b')).toBe('host:5000/b:latest');
    expect(normalizeImageRef('b@sha256:1')).toBe('b@sha256:1');
  });
});

describe('findNetwork and findVolumes', () => {
  const net = (Id: string, Name: string, Scope = 'local') => ({
    Id: hexId(Id),
    Name,
    Scope,
    Driver: 'bridge',
  });
  const nets = [
    { node: n1, network: net('11', 'bridge') },
    { node: n2, network: net('22', 'bridge') },
    { node: n1, network: net('33', 'ov', 'global') },
    { node: n2, network: net('33', 'ov', 'global') },
  ];
  it.each([
    ['node-2/bridge', '22'],
    ['bridge', undefined], // local networks of one name on two nodes: ambiguous, as in Swarm
    ['ov', '33'],
    [hexId('33').slice(0, 12), '33'],
    ['33', '33'],
    ['1', '11'],
    ['', undefined],
    ['nope', undefined],
  ])('network %s', (ref, want) => {
    const found = findNetwork(nets, ref);
    expect(found ? found.network.Id : undefined).toBe(want === undefined ? undefined : hexId(want));
  });

  it('finds one volume by node/name and every same-named volume by name', () => {
    const vols = [
      { node: n1, volume: { Name: 'data', Driver: 'local' } },
      { node: n2, volume: { Name: 'data', Driver: 'local' } },
    ];
    expect(findVolumes(vols, 'node-2/data').map((v) => v.node)).toEqual([n2]);
    expect(findVolumes(vols, 'data').map((v) => v.node)).toEqual([n1, n2]);
    expect(findVolumes(vols, 'node-3/data')).toEqual([]);
    expect(findVolumes(vols, '')).toEqual([]);
  });
});
