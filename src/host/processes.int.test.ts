import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { processArgv } from './processes.js';

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
