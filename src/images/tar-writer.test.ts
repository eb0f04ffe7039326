import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { writeTar } from './tar-writer.js';

function list(tar: Buffer): string[] {
  const r = spawnSync('tar', ['-tvf', '-'], { input: tar });
  expect(r.status, r.stderr.toString()).toBe(0);
  return r.stdout.toString().trim().split('\n');
}

describe('writeTar', () => {
  it('writes dirs, files and symlinks that GNU tar reads back', () => {
    const tar = writeTar([
      { type: 'dir', path: 'bin' },
      { type: 'file', path: 'bin/hello', data: Buffer.from('hi\n'), mode: 0o755 },
      { type: 'symlink', path: 'bin/sh', target: 'hello' },
      { type: 'dir', path: 'tmp', mode: 0o1777 },
    ]);
    expect(tar.length % 512).toBe(0);
    const lines = list(tar);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^drwxr-xr-x root\/root .* bin\/$/);
    expect(lines[1]).toMatch(/^-rwxr-xr-x root\/root +3 .* bin\/hello$/);
    expect(lines[2]).toMatch(/^lrwxrwxrwx .* bin\/sh -> hello$/);
    expect(lines[3]).toMatch(/^drwxrwxrwt .* tmp\/$/);
  });

  it('pads file data to whole blocks and keeps the content', () => {
    const data = Buffer.alloc(1000, 7);
    const tar = writeTar([{ type: 'file', path: 'f', data }]);
    expect(tar.length).toBe(512 + 1024 + 1024);
    expect(tar.subarray(512, 1512).equals(data)).toBe(true);
  });

  it('splits long paths into prefix and name', () => {
    const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/file`;
    const lines = list(writeTar([{ type: 'file', path: long, data: Buffer.from('x') }]));
    expect(lines[0]?.endsWith(long)).toBe(true);
  });
});
