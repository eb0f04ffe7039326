import { describe, expect, it } from 'vitest';
import {
  findContainer,
  findNetwork,
  findVolume,
  imageMatches,
  nameTaken,
  normalizeImageRef,
} from './lookup.js';
import { cached, hexId } from './testing/fixtures.js';

const n1 = { id: 'AAAA:BBBB', name: 'node-1' };
const n2 = { id: 'CCCC:DDDD', name: 'node-2' };
const web = { node: n1, container: cached({ id: hexId('abc123'), name: 'web', swarmId: hexId('5a1') }) };
const db = { node: n2, container: cached({ id: hexId('abd456'), name: 'db', swarmId: hexId('5b2') }) };
const dup1 = { node: n1, container: cached({ id: hexId('f00001'), name: 'twin' }) };
const dup2 = { node: n2, container: cached({ id: hexId('f00002'), name: 'twin' }) };
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
    const trick = { node: n2, container: cached({ id: hexId('999'), name: hexId('abc123') }) };
    expect(findContainer([trick, web], hexId('abc123'))).toBe(web);
  });
});

describe('nameTaken', () => {
  it('matches primary names, not link aliases', () => {
    const linked = { node: n1, container: cached({ id: hexId('1'), name: 'app', extraNames: ['/web/db'] }) };
    expect(nameTaken([linked], 'app')).toBe(linked);
    expect(nameTaken([linked], '/app')).toBe(linked);
    expect(nameTaken([linked], 'db')).toBeUndefined();
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

describe('findNetwork and findVolume', () => {
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
    ['bridge', '11'],
    ['ov', '33'],
    [hexId('33').slice(0, 12), '33'],
    ['33', '33'],
    ['1', '11'],
    ['nope', undefined],
  ])('network %s', (ref, want) => {
    const found = findNetwork(nets, ref);
    expect(found ? found.network.Id : undefined).toBe(want === undefined ? undefined : hexId(want));
  });

  it('finds volumes by node/name and name', () => {
    const vols = [
      { node: n1, volume: { Name: 'data', Driver: 'local' } },
      { node: n2, volume: { Name: 'data', Driver: 'local' } },
    ];
    expect(findVolume(vols, 'node-2/data')?.node).toBe(n2);
    expect(findVolume(vols, 'data')?.node).toBe(n1);
    expect(findVolume(vols, 'node-3/data')).toBeUndefined();
  });
});
