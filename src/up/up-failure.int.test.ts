/**
 * `shoal up` failing part-way, for real: the registry's folder is blocked by a file, so the registry step fails after
 * the KV host and the etcd members were made. The run must name the step, exit non-zero and leave nothing running.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepPrefix } from '../machine/drivers/netns/index.js';
import { type RunResult, runCommand } from '../testkit/hosts.js';

const PREFIX = 'shu';
const CLI = resolve(import.meta.dirname, '../../dist/cli/main.js');
let store = '';
let res: RunResult;

beforeAll(async () => {
  await sweepPrefix(PREFIX);
  store = await mkdtemp(join(tmpdir(), 'shoal-shu-fail-'));
  await mkdir(join(store, 'up'), { recursive: true });
  await writeFile(join(store, 'up', 'registry'), 'not a folder');
  res = await runCommand(['node', CLI, 'up', '--prefix', PREFIX, '--subnet', '10.236.0.0/24'], {
    env: { SHOAL_STORAGE_PATH: store },
  });
});

afterAll(async () => {
  await sweepPrefix(PREFIX).catch(() => undefined);
  await rm(store, { recursive: true, force: true });
});

describe('shoal up failing part-way', () => {
  it('exits non-zero with a one-line error naming the step', () => {
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^Error: shoal up failed at "Registry mirror on 10\.236\.0\.\d+:5000/);
    expect(res.stdout).toMatch(/KV cluster .*: done/);
  });

  it('leaves no host, namespace, link, etcd or registry process behind', async () => {
    expect(await readdir(join(store, 'machines')).catch(() => [])).toEqual([]);
    expect((await runCommand(['ip', 'netns', 'list'])).stdout).not.toMatch(/shu-/);
    expect((await runCommand(['ip', '-o', 'link', 'show'])).stdout).not.toMatch(/ shu[bvp][0-9a-f]{8}/);
    expect((await runCommand(['iptables-save'])).stdout).not.toMatch(/shub[0-9a-f]{8}/);
    expect((await runCommand(['ps', '-eo', 'args'])).stdout).not.toContain(store);
    const status = await runCommand(['node', CLI, 'status'], { env: { SHOAL_STORAGE_PATH: store } });
    expect(status.code).toBe(1);
  });
});
