import type { Engine } from './engine.js';
import { sharesToCpus } from './swarm-config.js';

const reservedMemo = new WeakMap<Engine, { version: number; engineCpus: number; cpus: number }>();

/**
 * CPUs reserved on an engine: each container's CpuShares converted to CPUs as Swarm did, summed. Recomputed only
 * when the engine's cache version or CPU count changed.
 */
export function reservedCpus(engine: Engine): number {
  const memo = reservedMemo.get(engine);
  if (memo && memo.version === engine.cache.version && memo.engineCpus === engine.cpus) return memo.cpus;
  let cpus = 0;
  for (const c of engine.cache.containers())
    cpus += sharesToCpus(c.info.HostConfig?.CpuShares ?? 0, engine.cpus);
  reservedMemo.set(engine, { version: engine.cache.version, engineCpus: engine.cpus, cpus });
  return cpus;
}
