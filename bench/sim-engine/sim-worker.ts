/**
 * Runs a fleet of `SimulatedEngine`s (benchmark-only) in a worker thread, so the benchmark's measuring client does
 * not share an event loop with the engines' answers to the manager's refreshes.
 *
 * workerData: {@link FleetSpec}. Posts `{ addrs }` once every engine listens; on the message `'stop'` closes them
 * all and posts `'stopped'`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SimulatedEngine } from './simulated-engine.js';

/** The fleet to start. */
export interface FleetSpec {
  readonly engines: number;
  readonly containers: number;
}

const spec = workerData as FleetSpec;
const engines: SimulatedEngine[] = [];
for (let i = 0; i < spec.engines; i += 50) {
  const batch = Array.from(
    { length: Math.min(50, spec.engines - i) },
    (_, j) =>
      new SimulatedEngine({
        name: `sim-${i + j}`,
        cpus: 4,
        memory: 8 * 1024 ** 3,
        labels: { region: ['eu', 'us', 'asia'][(i + j) % 3] as string },
        containers: spec.containers,
      }),
  );
  await Promise.all(batch.map((e) => e.start()));
  engines.push(...batch);
}
parentPort?.postMessage({ addrs: engines.map((e) => e.addr) });
parentPort?.on('message', (msg: unknown) => {
  if (msg !== 'stop') return;
  void Promise.all(engines.map((e) => e.stop())).then(() => parentPort?.postMessage('stopped'));
});
