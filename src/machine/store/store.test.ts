import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../host/atomic-write.js';
import { HostLoadError, HostNotFoundError } from '../errors.js';
import {
  CONFIG_VERSION,
  defaultAuthOptions,
  defaultEngineOptions,
  defaultSwarmOptions,
  type HostRecord,
} from '../host-record.js';
import { FileStore } from './file-store.js';
import type { HostStore } from './host-store.js';
import { MemoryStore } from './memory-store.js';

const root = mkdtempSync(join(tmpdir(), 'shk-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function record(name: string, store: string): HostRecord {
  const dir = join(store, 'machines', name);
  return {
    ConfigVersion: CONFIG_VERSION,
    Driver: { URL: 'tcp://10.231.0.9:2376', MachineName: name },
    DriverName: 'none',
    HostOptions: {
      Driver: 'none',
      Memory: 0,
      Disk: 0,
      EngineOptions: defaultEngineOptions(),
      SwarmOptions: defaultSwarmOptions(),
      AuthOptions: defaultAuthOptions(store, dir),
    },
    Name: name,
  };
}

describe.each<[string, () => HostStore]>([
  ['FileStore', () => new FileStore(mkdtempSync(join(root, 'fs-')))],
  ['MemoryStore', () => new MemoryStore()],
])('%s', (_n, make) => {
  it('saves, lists, loads and removes', async () => {
    const s = make();
    expect(await s.list()).toEqual([]);
    expect(await s.exists('a')).toBe(false);
    await s.save(record('a', s.path));
    await s.save(record('b', s.path));
    expect((await s.list()).sort()).toEqual(['a', 'b']);
    expect(await s.exists('a')).toBe(true);
    expect((await s.load('a')).Driver.URL).toBe('tcp://10.231.0.9:2376');
    await s.remove('a');
    expect(await s.exists('a')).toBe(false);
    await expect(s.load('a')).rejects.toBeInstanceOf(HostNotFoundError);
    await s.remove('a');
  });
});

describe('FileStore on disk', () => {
  it('writes config.json 0600 in a 0700 dir, 4-space JSON, no temp files left', async () => {
    const s = new FileStore(join(root, 'disk'));
    await s.save(record('m', s.path));
    const dir = s.machineDir('m');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'config.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toMatch(/^{\n {4}"ConfigVersion": 3,/);
    await s.save(record('m', s.path));
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  it('atomic write leaves the old file intact when the write fails', async () => {
    const dir = join(root, 'atomic');
    mkdirSync(dir);
    const f = join(dir, 'x.json');
    await writeFileAtomic(f, 'old');
    // a directory in the way of the rename makes it fail after the temp file was written
    const g = join(dir, 'blocked');
    mkdirSync(join(g, 'sub'), { recursive: true });
    await expect(writeFileAtomic(g, 'new')).rejects.toThrow();
    expect(readFileSync(f, 'utf8')).toBe('old');
    expect(readdirSync(dir).sort()).toEqual(['blocked', 'x.json']);
  });

  it('migrates a version-0 record, keeps a .bak and saves version 3', async () => {
    const s = new FileStore(join(root, 'mig'));
    const dir = s.machineDir('old');
    mkdirSync(dir, { recursive: true });
    const legacy = {
      DriverName: 'generic',
      Driver: { IPAddress: '10.231.0.7', EnginePort: 2377 },
      Name: 'old',
    };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(legacy));
    const rec = await s.load('old');
    expect(rec.ConfigVersion).toBe(3);
    expect(rec.HostOptions.EngineOptions.Port).toBe(2377);
    expect(rec.HostOptions.SwarmOptions.Strategy).toBe('spread');
    expect(rec.HostOptions.AuthOptions.ServerCertPath).toBe(join(dir, 'server.pem'));
    expect(rec.HostOptions.AuthOptions.ServerCertSANs).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, 'config.json.bak'), 'utf8'))).toEqual(legacy);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).ConfigVersion).toBe(3);
  });

  it('migrates a version-2 record by lifting DriverName', async () => {
    const s = new FileStore(join(root, 'mig2'));
    const r = record('v2', s.path) as unknown as Record<string, unknown>;
    r.ConfigVersion = 2;
    delete r.DriverName;
    mkdirSync(s.machineDir('v2'), { recursive: true });
    writeFileSync(join(s.machineDir('v2'), 'config.json'), JSON.stringify(r));
    expect((await s.load('v2')).DriverName).toBe('none');
  });

  it('rejects garbage and future versions with HostLoadError', async () => {
    const s = new FileStore(join(root, 'bad'));
    mkdirSync(s.machineDir('junk'), { recursive: true });
    writeFileSync(join(s.machineDir('junk'), 'config.json'), '{nope');
    await expect(s.load('junk')).rejects.toBeInstanceOf(HostLoadError);
    // the message names the file and the way out, for half-written and corrupted records alike
    const junk = join(s.machineDir('junk'), 'config.json');
    await expect(s.load('junk')).rejects.toThrow(`invalid host record ${junk} of "junk"`);
    await expect(s.load('junk')).rejects.toThrow('shoal machine rm -f junk');
    mkdirSync(s.machineDir('future'), { recursive: true });
    writeFileSync(
      join(s.machineDir('future'), 'config.json'),
      JSON.stringify({ ConfigVersion: 9, DriverName: 'x' }),
    );
    await expect(s.load('future')).rejects.toThrow(/newer/);
    mkdirSync(s.machineDir('empty'), { recursive: true });
    await expect(s.load('empty')).rejects.toBeInstanceOf(HostLoadError);
    await expect(s.load('empty')).rejects.toThrow(
      `cannot read host record ${join(s.machineDir('empty'), 'config.json')}`,
    );
    expect((await s.list()).sort()).toEqual(['empty', 'future', 'junk']);
  });
});
