/**
 * A fleet of `SimulatedEngine`s spread over child processes (sim-worker.ts), for the scale benchmarks only: each
 * process has its own event loop and its own limit of open files (a listening socket per engine plus the server side
 * of every manager connection). Engine `i` lives in process `floor(i / perProcess)`; the fleet's addresses come back
 * in engine order.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FleetCommand, FleetSpec, Flipped, Usage } from './sim-worker.js';

/** A running fleet. */
export interface SimFleet {
  /** `127.0.0.1:PORT` of every engine, in engine order. */
  readonly addrs: readonly string[];
  /** The processes serving it (to read their CPU time). */
  readonly pids: readonly number[];
  /** Starts lifecycle churn at `perSecond` events over the whole fleet (0 ends it). */
  churn(perSecond: number): void;
  /** Stops or starts one container of engine `engine` now; resolves with its ID and new state. */
  flip(engine: number, seq: number): Promise<Flipped['flipped']>;
  /** Memory reserved on each engine (sum of its containers' `HostConfig.Memory`), in engine order. */
  usage(): Promise<{ memory: number; containers: number }[]>;
  /** Closes every engine and ends the workers. */
  stop(): Promise<void>;
}

/** Starts `engines` engines of `containers` containers each over `processes` child processes. */
export async function startFleet(engines: number, containers: number, processes: number): Promise<SimFleet> {
  const n = Math.max(1, Math.min(processes, engines));
  const per = Math.ceil(engines / n);
  const workers: ChildProcess[] = [];
  const waiting = new Map<number, (f: Flipped['flipped']) => void>();
  const usageWaiters = new Map<ChildProcess, (u: Usage['usage']['engines']) => void>();
  const parts = await Promise.all(
    Array.from({ length: n }, (_, w) => {
      const first = w * per;
      const count = Math.max(0, Math.min(per, engines - first));
      const worker = fork(
        fileURLToPath(new URL('./sim-worker.js', import.meta.url)),
        [JSON.stringify({ first, engines: count, containers } satisfies FleetSpec)],
        { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
      );
      workers.push(worker);
      return new Promise<string[]>((resolve, reject) => {
        worker.once('error', reject);
        worker.once('message', (m: { addrs: string[] }) => {
          worker.on('message', (msg: unknown) => {
            if (msg && typeof msg === 'object' && 'usage' in msg) {
              usageWaiters.get(worker)?.((msg as Usage).usage.engines);
              usageWaiters.delete(worker);
            } else if (msg && typeof msg === 'object' && 'flipped' in msg) {
              const f = (msg as Flipped).flipped;
              waiting.get(f.seq)?.(f);
              waiting.delete(f.seq);
            }
          });
          resolve(m.addrs);
        });
      });
    }),
  );
  const post = (w: ChildProcess, cmd: FleetCommand) => w.send(cmd);
  return {
    addrs: parts.flat(),
    pids: workers.map((w) => w.pid!),
    churn(perSecond) {
      for (const w of workers) post(w, { churn: perSecond / workers.length });
    },
    flip(engine, seq) {
      const w = workers[Math.floor(engine / per)];
      if (!w) return Promise.reject(new Error(`no engine ${engine}`));
      return new Promise((resolve) => {
        waiting.set(seq, resolve);
        post(w, { flip: { engine, seq } });
      });
    },
    async usage() {
      const parts = await Promise.all(
        workers.map(
          (w) =>
            new Promise<Usage['usage']['engines']>((resolve) => {
              usageWaiters.set(w, resolve);
              post(w, 'usage');
            }),
        ),
      );
      return parts.flat();
    },
    async stop() {
      await Promise.all(
        workers.map(async (w) => {
          const stopped = new Promise((r) => w.once('message', r));
          post(w, 'stop');
          await stopped;
          if (w.exitCode === null) {
            const exited = new Promise((r) => w.once('exit', r));
            w.kill('SIGTERM');
            await exited;
          }
        }),
      );
    },
  };
}
