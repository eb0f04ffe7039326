/**
 * The steady workload: one worker per manager creates, starts, stops and removes its own containers and lists and
 * inspects them, through that manager (a replica forwards to the primary). Half of the containers ask to be
 * rescheduled (`reschedule:on-node-failure`, with restart policy `unless-stopped`), half have no policy at all.
 * Every answer is logged with its times; the ledger keeps what each container should be after the answers seen:
 * a create answered 201 exists until a remove is answered 204; an answer that never came leaves it "maybe".
 */
import type { Rng } from '../../src/util/rng.js';
import type { ChaosCluster } from './cluster.js';
import type { Answer } from './http.js';

/** What the workload knows a container should be. */
export interface Expected {
  readonly name: string;
  readonly worker: number;
  /** Created with `reschedule:on-node-failure` and restart policy `unless-stopped`. */
  readonly policy: boolean;
  /** `yes` after a 201, `no` after a 204 remove (or a refused create), `maybe` when an answer never came. */
  exists: 'yes' | 'no' | 'maybe';
  /** After the last start or stop that was answered; `unknown` after one that was not. */
  run: 'running' | 'stopped' | 'unknown';
}

/** One request the workload sent and what came back. */
export interface OpRecord {
  readonly op: 'create' | 'start' | 'stop' | 'remove' | 'list' | 'inspect';
  readonly via: string;
  readonly name?: string;
  readonly status: number;
  readonly start: number;
  readonly end: number;
  readonly error?: string;
  /** The manager's error message, for 4xx/5xx. */
  readonly message?: string;
  /** An inspect answered 404 for a container the ledger says exists. */
  readonly missing?: boolean;
  /** The engine's container ID a create answered 201 with. */
  readonly id?: string;
}

/** Label every workload container carries. */
export const WORKLOAD_LABEL = 'shoal.chaos.workload';
/** Name prefix of workload containers. */
export const WORKLOAD_PREFIX = 'chaosw';

const RUN_CMD = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'];

/** Options of {@link Workload}. */
export interface WorkloadOptions {
  /** Containers each worker keeps at most (existing or maybe). */
  readonly maxPerWorker: number;
  /** Pause between a worker's steps. */
  readonly paceMs: number;
  /** Per-request timeout. */
  readonly timeoutMs: number;
}

/** See the module comment. */
export class Workload {
  readonly ledger = new Map<string, Expected>();
  readonly ops: OpRecord[] = [];
  private readonly workers: Promise<void>[] = [];
  private stopped = false;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  private inflight = 0;
  private idle: (() => void)[] = [];
  private seq = 0;

  constructor(
    private readonly cluster: ChaosCluster,
    private readonly rng: Rng,
    private readonly opts: WorkloadOptions = { maxPerWorker: 8, paceMs: 300, timeoutMs: 30_000 },
  ) {}

  /** Starts one worker per manager. */
  start(): void {
    this.cluster.managers.forEach((m, i) => {
      this.workers.push(this.loop(i, m.name));
    });
  }

  /** Stops the workers and waits for their last requests. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.openGate?.();
    await Promise.all(this.workers);
  }

  /** Runs `fn` while no workload request is in flight (the workers wait), e.g. to take a consistent snapshot. */
  async quiesce<T>(fn: () => Promise<T>): Promise<T> {
    while (this.gate) await this.gate;
    this.gate = new Promise<void>((r) => {
      this.openGate = r;
    });
    try {
      while (this.inflight > 0) await new Promise<void>((r) => this.idle.push(r));
      return await fn();
    } finally {
      const open = this.openGate;
      this.gate = undefined;
      this.openGate = undefined;
      open?.();
    }
  }

  private async loop(worker: number, via: string): Promise<void> {
    while (!this.stopped) {
      while (this.gate && !this.stopped) await this.gate;
      if (this.stopped) break;
      this.inflight++;
      try {
        await this.step(worker, via);
      } finally {
        this.inflight--;
        if (this.inflight === 0) for (const r of this.idle.splice(0)) r();
      }
      await new Promise((r) => setTimeout(r, this.opts.paceMs));
    }
  }

  private mine(worker: number): Expected[] {
    return [...this.ledger.values()].filter((e) => e.worker === worker && e.exists !== 'no');
  }

  private pick<T>(xs: readonly T[]): T | undefined {
    return xs.length ? xs[Math.floor(this.rng() * xs.length)] : undefined;
  }

  private async step(worker: number, via: string): Promise<void> {
    const mine = this.mine(worker);
    const r = this.rng();
    if (mine.length < 3 || (mine.length < this.opts.maxPerWorker && r < 0.25)) {
      await this.create(worker, via);
      return;
    }
    const existing = mine.filter((e) => e.exists === 'yes');
    const r2 = this.rng();
    if (r2 < 0.15) {
      const e = this.pick(existing.filter((x) => x.run !== 'stopped'));
      if (e) await this.startStop(e, via, 'stop');
    } else if (r2 < 0.3) {
      const e = this.pick(existing.filter((x) => x.run !== 'running'));
      if (e) await this.startStop(e, via, 'start');
    } else if (r2 < 0.45 || mine.length >= this.opts.maxPerWorker) {
      const maybes = mine.filter((x) => x.exists === 'maybe');
      const e = this.pick(maybes.length ? maybes : mine);
      if (e) await this.remove(e, via);
    } else if (r2 < 0.75) {
      this.log('list', via, undefined, await this.send(via, 'GET', '/containers/json?all=1'));
    } else {
      const e = this.pick(existing);
      if (e) {
        const a = await this.send(via, 'GET', `/containers/${e.name}/json`);
        this.log('inspect', via, e.name, a, a.status === 404 && e.exists === 'yes');
      }
    }
  }

  private async create(worker: number, via: string): Promise<void> {
    const policy = this.rng() < 0.5;
    const name = `${WORKLOAD_PREFIX}${worker}-${++this.seq}`;
    const e: Expected = { name, worker, policy, exists: 'maybe', run: 'stopped' };
    this.ledger.set(name, e);
    const body = {
      Image: 'busybox',
      Cmd: RUN_CMD,
      Labels: { [WORKLOAD_LABEL]: '1' },
      Env: policy ? ['reschedule:on-node-failure'] : [],
      HostConfig: policy ? { RestartPolicy: { Name: 'unless-stopped' } } : {},
    };
    const a = await this.send(via, 'POST', `/containers/create?name=${name}`, body);
    this.log('create', via, name, a);
    if (a.status === 201) e.exists = 'yes';
    else if (a.status >= 400 && a.status < 500) e.exists = 'no';
    else return;
    if (e.exists === 'yes') await this.startStop(e, via, 'start');
  }

  private async startStop(e: Expected, via: string, op: 'start' | 'stop'): Promise<void> {
    const a = await this.send(via, 'POST', `/containers/${e.name}/${op}${op === 'stop' ? '?t=2' : ''}`);
    this.log(op, via, e.name, a);
    if (a.status === 204 || a.status === 304) e.run = op === 'start' ? 'running' : 'stopped';
    else e.run = 'unknown';
  }

  private async remove(e: Expected, via: string): Promise<void> {
    const a = await this.send(via, 'DELETE', `/containers/${e.name}?force=1`);
    this.log('remove', via, e.name, a);
    if (a.status === 204) e.exists = 'no';
    else if (a.status === 0 || a.status >= 500) e.exists = 'maybe';
    // A 404 is no proof: the container may sit on a node the manager cannot see right now.
  }

  private send(via: string, method: string, path: string, body?: unknown): Promise<Answer> {
    return this.cluster.call(this.cluster.manager(via), method, path, body, this.opts.timeoutMs);
  }

  private log(op: OpRecord['op'], via: string, name: string | undefined, a: Answer, missing = false): void {
    let message: string | undefined;
    let id: string | undefined;
    if (op === 'create' && a.status === 201) {
      try {
        id = (JSON.parse(a.body) as { Id?: string }).Id;
      } catch {
        id = undefined;
      }
    }
    if (a.status >= 400) {
      try {
        message = (JSON.parse(a.body) as { message?: string }).message;
      } catch {
        message = a.body.slice(0, 200);
      }
    }
    this.ops.push({
      op,
      via,
      ...(name ? { name } : {}),
      status: a.status,
      start: a.start,
      end: a.end,
      ...(a.error ? { error: a.error } : {}),
      ...(message ? { message } : {}),
      ...(missing ? { missing } : {}),
      ...(id ? { id } : {}),
    });
  }
}
