import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive, killProcesses } from '../../../host/processes.js';
import { systemClock } from '../../../util/clock.js';
import { dockerdProcesses } from './dockerd.js';

describe('dockerdProcesses', () => {
  it("finds and ends a machine's engine by its --config-file wherever it runs, with its children, and nothing else", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shoal-proc-'));
    const mine = join(dir, 'm1', 'daemon.json');
    const other = join(dir, 'm2', 'daemon.json');
    // stand-ins for dockerd: `sh` with a `dockerd --config-file PATH` argv, and a child process (like containerd)
    const start = (path: string) =>
      spawn('sh', ['-c', 'sleep 60 & wait', '/usr/sbin/dockerd', '--config-file', path], { stdio: 'ignore' });
    const a = start(mine);
    const b = start(other);
    try {
      await new Promise((r) => setTimeout(r, 200));
      const found = await dockerdProcesses(mine);
      expect(found).toContain(a.pid);
      expect(found).not.toContain(b.pid);
      expect(found.length).toBe(2); // sh and its sleep
      await killProcesses(() => dockerdProcesses(mine), systemClock);
      for (const pid of found) expect(await isAlive(pid)).toBe(false);
      expect(await isAlive(b.pid as number)).toBe(true);
      expect(await dockerdProcesses(other)).toContain(b.pid);
    } finally {
      a.kill('SIGKILL');
      await killProcesses(() => dockerdProcesses(other), systemClock);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
