/** Injected randomness: a function returning a float in [0, 1), like `Math.random`. */
export type Rng = () => number;

/** The default random source. */
export const defaultRng: Rng = Math.random;

/** A deterministic generator (mulberry32) for tests and reproducible benchmarks. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
