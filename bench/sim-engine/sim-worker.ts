/**
 * Runs part of a fleet of `SimulatedEngine`s (benchmark-only) in a child process (forked with an IPC channel, the
 * spec as JSON in argv[2]) or a worker thread (the spec as workerData), so the benchmark's measuring client does not
 * share an event loop with the engines' answers, and each part has its own limit of open files.
 *
 * Spec: {@link FleetSpec}. Posts `{ addrs }` once every engine listens. Messages it takes ({@link FleetCommand}):
 * `'stop'` closes every engine and posts `'stopped'`; `'usage'` posts `{ usage }` (memory reserved per engine); `{ churn }` starts (or, with 0, ends) lifecycle churn over its
 * engines; `{ flip }` stops or starts one container at once and posts back `{ flipped }` with its ID and new state.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SimulatedEngine } from './simulated-engine.js';

/** The engines one worker starts. */
export interface FleetSpec {
  /** Index of the first engine (names `sim-<index>`). */
  readonly first?: number;
  readonly engines: number;
  readonly containers: number;
}

/** What a worker is told after it started. */
export type FleetCommand =
  | 'stop'
  | 'usage'
  | { readonly churn: number }
  | { readonly flip: { readonly engine: number; readonly seq: number } };

/** A worker's answer to `usage`: per engine (in engine order), its reserved memory and containers reserving any. */
export interface Usage {
  readonly usage: { readonly first: number; readonly engines: { memory: number; containers: number }[] };
}

/** A worker's answer to a flip. */
export interface Flipped {
  readonly flipped: { readonly seq: number; readonly id: string; readonly state: string };
}

const spec = (parentPort ? workerData : JSON.parse(process.argv[2] ?? '{}')) as FleetSpec;
const port = {
  postMessage: (m: unknown) => (parentPort ? parentPort.postMessage(m) : process.send?.(m)),
  on: (f: (m: FleetCommand) => void) => (parentPort ? parentPort.on('message', f) : process.on('message', f)),
};
const first = spec.first ?? 0;
const engines: SimulatedEngine[] = [];
for (let i = 0; i < spec.engines; i += 50) {
  const batch = Array.from({ length: Math.min(50, spec.engines - i) }, (_, j) => {
    const n = first + i + j;
    return new SimulatedEngine({
      name: `sim-${n}`,
      cpus: 4,
      memory: 8 * 1024 ** 3,
      labels: { region: ['eu', 'us', 'asia'][n % 3] as string },
      containers: spec.containers,
    });
  });
  await Promise.all(batch.map((e) => e.start()));
  engines.push(...batch);
}
port.postMessage({ addrs: engines.map((e) => e.addr) });

let churn: NodeJS.Timeout | undefined;
/** Lifecycle changes at `perSecond` over this worker's engines, in ticks of 10 ms. */
function startChurn(perSecond: number): void {
  if (churn) clearInterval(churn);
  churn = undefined;
  if (perSecond <= 0) return;
  let owed = 0;
  let next = 0;
  churn = setInterval(() => {
    owed += perSecond / 100;
    for (; owed >= 1; owed--) {
      engines[next % engines.length]?.flipAny(next);
      next += 7; // spread over engines and containers
    }
  }, 10);
}

port.on((msg: FleetCommand) => {
  if (msg === 'stop') {
    startChurn(0);
    void Promise.all(engines.map((e) => e.stop())).then(() => {
      port.postMessage('stopped');
      if (!parentPort) process.disconnect?.();
    });
  } else if (msg === 'usage') {
    port.postMessage({ usage: { first, engines: engines.map((e) => e.reserved()) } } satisfies Usage);
  } else if ('churn' in msg) startChurn(msg.churn);
  else if ('flip' in msg) {
    const got = engines[msg.flip.engine - first]?.flipAny(msg.flip.seq);
    port.postMessage({
      flipped: { seq: msg.flip.seq, id: got?.id ?? '', state: got?.state ?? '' },
    } satisfies Flipped);
  }
});
