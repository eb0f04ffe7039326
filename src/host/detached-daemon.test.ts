import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DetachedDaemon } from './detached-daemon.js';
import { DaemonStartError } from './errors.js';
import { isAlive, signal } from './processes.js';

let dir: string;
const started: number[] = [];

/** A daemon identified by a marker argument unique to this test run. */
function daemon(marker: string): DetachedDaemon {
  return new DetachedDaemon({
    name: `test daemon ${marker}`,
    pidFile: join(dir, `${marker}.pid`),
    logFile: join(dir, `${marker}.log`),
    isOwn: (argv) => argv.includes(join(dir, marker)),
  });
}

/** `node -e SCRIPT <dir>/<marker>`: the marker path shows in the argv, as a config path does for a real daemon. */
function nodeLaunch(marker: string, script: string) {
  return { argv: [process.execPath, '-e', script, join(dir, marker)] };
}

const FOREVER = 'setInterval(() => {}, 1000);';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-daemon-'));
});

afterEach(async () => {
  for (const pid of started.splice(0)) signal(pid, 'SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('DetachedDaemon', () => {
  it('spawns detached, records its PID, answers it until stopped, then removes the pid file', async () => {
    const d = daemon('a');
    expect(await d.pid()).toBeUndefined();
    const pid = await d.spawn(nodeLaunch('a', `console.log('hello'); ${FOREVER}`));
    started.push(pid);
    expect((await readFile(join(dir, 'a.pid'), 'utf8')).trim()).toBe(String(pid));
    expect(await d.pid()).toBe(pid);
    expect(await d.start(nodeLaunch('a', 'process.exit(1)'))).toBe(pid); // already running: left alone
    await d.waitReady(pid, async () => (await d.log()).includes('hello'), { timeoutMs: 5000 });
    expect(await d.stop({ graceMs: 5000 })).toBe('stopped');
    expect(await isAlive(pid)).toBe(false);
    expect(await d.pid()).toBeUndefined();
    await expect(readFile(join(dir, 'a.pid'))).rejects.toThrow(/ENOENT/);
    expect(await d.stop()).toBe('not-running');
  });

  it('does not count a live process with another command line as the daemon (a reused PID)', async () => {
    const d = daemon('b');
    const other = daemon('c');
    const pid = await other.spawn(nodeLaunch('c', FOREVER));
    started.push(pid);
    await writeFile(join(dir, 'b.pid'), `${pid}\n`);
    expect(await d.pid()).toBeUndefined();
    expect(await d.stop()).toBe('not-running');
    expect(await isAlive(pid)).toBe(true);
  });

  it('reports a daemon that exits while starting, with its log', async () => {
    const d = daemon('d');
    const pid = await d.spawn(nodeLaunch('d', "console.error('bad config line 3'); process.exit(2)"));
    const err = await d.waitReady(pid, async () => false, { timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DaemonStartError);
    expect((err as Error).message).toMatch(/test daemon d exited while starting/);
    expect((err as Error).message).toMatch(/bad config line 3/);
  });

  it('reports a daemon that is not ready in time through the caller’s failure', async () => {
    const d = daemon('e');
    const pid = await d.spawn(nodeLaunch('e', FOREVER));
    started.push(pid);
    const err = await d
      .waitReady(pid, async () => false, {
        timeoutMs: 200,
        intervalMs: 20,
        failure: async (why) => new Error(`custom: ${why}`),
      })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe('custom: timeout');
    expect(await isAlive(pid)).toBe(true);
  });

  it('kills a daemon that ignores SIGTERM, or reports it still running when told not to kill', async () => {
    const d = daemon('f');
    const pid = await d.spawn(
      nodeLaunch('f', `process.on('SIGTERM', () => {}); console.log('up'); ${FOREVER}`),
    );
    started.push(pid);
    await d.waitReady(pid, async () => (await d.log()).includes('up'), { timeoutMs: 5000 });
    expect(await d.stop({ graceMs: 200, kill: false })).toBe('still-running');
    expect(await d.pid()).toBe(pid);
    expect(await d.stop({ graceMs: 200 })).toBe('stopped');
    expect(await isAlive(pid)).toBe(false);
  });

  it('refuses a binary that cannot be started', async () => {
    const d = daemon('g');
    await expect(d.spawn({ argv: ['/nonexistent/daemon', join(dir, 'g')] })).rejects.toBeInstanceOf(
      DaemonStartError,
    );
  });
});
