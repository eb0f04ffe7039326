import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../util/clock.js';
import { engineProcesses, isAlive, killProcesses, processArgv } from './processes.js';

describe('processArgv', () => {
  it('reads the command line of a process that is just exec-ing through nsenter', async () => {
    // nsenter enters the namespaces and then exec()s the command: a read during that exec sees an empty command line
    const misses: number[] = [];
    for (let i = 0; i < 200; i++) {
      const child = spawn('nsenter', ['--net=/proc/self/ns/net', '--', 'sleep', '5'], { stdio: 'ignore' });
      try {
        await new Promise((resolve, reject) => {
          child.once('spawn', resolve);
          child.once('error', reject);
        });
        const argv = await processArgv(child.pid as number);
        if (!argv?.includes('sleep')) misses.push(i);
      } finally {
        child.kill('SIGKILL');
      }
    }
    expect(misses).toEqual([]);
  });

  it('answers undefined for a process that is gone', async () => {
    const child = spawn('true', { stdio: 'ignore' });
    const pid = child.pid as number;
    await new Promise((r) => child.once('exit', r));
    expect(await processArgv(pid)).toBeUndefined();
  });
});

describe('engineProcesses', () => {
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
      const found = await engineProcesses(mine);
      expect(found).toContain(a.pid);
      expect(found).not.toContain(b.pid);
      expect(found.length).toBe(2); // sh and its sleep
      await killProcesses(() => engineProcesses(mine), systemClock);
      for (const pid of found) expect(await isAlive(pid)).toBe(false);
      expect(await isAlive(b.pid as number)).toBe(true);
      expect(await engineProcesses(other)).toContain(b.pid);
    } finally {
      a.kill('SIGKILL');
      await killProcesses(() => engineProcesses(other), systemClock);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
