/** The order of a campaign's faults. */
import { seededRng } from '../../src/util/rng.js';
import type { Fault } from './faults/fault.js';

/** The plan: every kind `floor(n / kinds)` times or once more, shuffled with the seed (Fisher-Yates). */
export function plan(faults: readonly Fault[], n: number, seed: number): Fault[] {
  const out = Array.from({ length: n }, (_, i) => faults[i % faults.length] as Fault);
  const rng = seededRng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j] as Fault, out[i] as Fault];
  }
  return out;
}
