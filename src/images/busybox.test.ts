import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BUSYBOX_APPLETS, busyboxRootfsTar } from './busybox.js';

describe('busyboxRootfsTar', () => {
  it('holds the static busybox and one symlink per applet', async () => {
    const tar = await busyboxRootfsTar();
    const r = spawnSync('tar', ['-tvf', '-'], { input: tar });
    expect(r.status).toBe(0);
    const out = r.stdout.toString();
    expect(out).toMatch(/-rwxr-xr-x root\/root +\d+ .* bin\/busybox\n/);
    for (const a of BUSYBOX_APPLETS) expect(out).toContain(`bin/${a} -> busybox`);
    expect(out).toMatch(/drwxrwxrwt .* tmp\//);
  });

  it('fails clearly when the binary is missing', async () => {
    await expect(busyboxRootfsTar('/nonexistent/busybox')).rejects.toThrow(/ENOENT/);
  });
});
