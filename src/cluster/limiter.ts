/**
 * Runs at most `max` async tasks at once; later ones wait in FIFO order. Shared by every engine cache of a cluster
 * so the initial sync of many engines (one inspect per container) cannot open tens of thousands of requests at once.
 * Queueing and releasing a slot take constant time whatever the queue's length.
 */
export class Limiter {
  private active = 0;
  /** Waiting tasks from `head` on; the consumed front is cut off once it is half of the array. */
  private waiting: (() => void)[] = [];
  private head = 0;

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new RangeError(`limiter size must be at least 1, got ${max}`);
  }

  /** Tasks running now. */
  get running(): number {
    return this.active;
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.waiting.length - this.head;
  }

  /** Runs `task` once a slot is free; resolves or rejects with it. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.next();
      if (next) next();
      else this.active--;
    }
  }

  private next(): (() => void) | undefined {
    if (this.head >= this.waiting.length) return undefined;
    const next = this.waiting[this.head];
    this.waiting[this.head++] = noop;
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    return next;
  }
}

function noop(): void {}
