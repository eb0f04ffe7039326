/** The shape of one fault kind: inject it (and hold it), then heal it; a table of these drives the campaign. */
import type { Rng } from '../../../src/util/rng.js';
import type { ChaosCluster } from '../cluster.js';

/** What a fault gets to work with. */
export interface FaultContext {
  readonly cluster: ChaosCluster;
  readonly rng: Rng;
  /** One progress line. */
  readonly say: (line: string) => void;
}

/** An injected fault, waiting to be healed. */
export interface Injected {
  /** What was hit (a host, a member, a manager). */
  readonly target: string;
  /** Ends the fault (restarts, reconnects, resumes) and returns once the healing action is done. */
  heal(): Promise<void>;
  /** Broken guarantees the fault itself observed (a zombie primary answering, a manager stalled by a flood). */
  readonly violations: string[];
  /** Remarks for the report (e.g. a restart that had to be helped). */
  readonly notes: string[];
}

/** One fault kind. */
export interface Fault {
  /** Stable name, used by `--kinds` and the report. */
  readonly kind: string;
  readonly description: string;
  /** Injects the fault and holds it as long as the kind wants; `heal` of the result ends it. */
  inject(ctx: FaultContext): Promise<Injected>;
}

/** Waits `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` every `everyMs` until it returns a value other than undefined, or gives up after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 250,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() >= deadline) return undefined;
    await sleep(everyMs);
  }
}

/** Sends `signal` to `pid`; false when there is no such process. */
export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** A uniformly chosen element. */
export function choose<T>(rng: Rng, xs: readonly T[]): T {
  if (!xs.length) throw new Error('nothing to choose from');
  return xs[Math.floor(rng() * xs.length)] as T;
}
