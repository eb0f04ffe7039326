import pino, { type Logger } from 'pino';
import { EngineRequestError } from '../../engine/errors.js';
import type { PlacementExplanation } from '../../scheduler/explanation.js';
import { type Clock, systemClock } from '../../util/clock.js';
import { asError } from '../../util/errors.js';
import type { Cluster } from '../cluster.js';
import type { Engine } from '../engine.js';
import type { CachedContainer } from '../engine-cache.js';
import type { ContainerInspect } from '../engine-types.js';
import { NodeUpdateOutOfSequenceError, NoNodeAvailableError } from '../errors.js';
import { annotateEvent } from '../events.js';
import type { CreateResult } from '../placement.js';
import { sharesToCpus } from '../swarm-config.js';
import { recreateSpec, reschedulePolicyOf, swarmIdOf } from './policy.js';
import type {
  ClusterStateStore,
  DesiredContainer,
  NodeAvailability,
  RemovedContainer,
  StaleCopy,
  Versioned,
} from './state-store.js';

/** Default time a node must stay unhealthy or absent before its containers are moved. */
export const DEFAULT_RESCHEDULE_GRACE_MS = 3000;
/** Default period of the reconcile loop. */
export const DEFAULT_RECONCILE_INTERVAL_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
/** Containers of failed nodes moved at once. */
const MOVES_AT_ONCE = 8;
/**
 * How long a copy left on a failed node is remembered: a node back within it has its copy removed (a duplicate, or
 * the copy of a container removed meanwhile); one back later has the copy of a removed container adopted.
 */
export const REMOVED_RETENTION_MS = 7 * 24 * 3600_000;
/**
 * How long an engine's `destroy` event is remembered: long enough for a record to be settled by the rounds (a
 * record is forgotten at most a few seconds after its container is seen gone).
 */
const DESTROYED_MEMORY_MS = 10 * 60_000;
/** Node verdicts an explanation keeps in a container's record (the summary still counts every node). */
const RECORDED_VERDICTS = 32;

/**
 * An explanation small enough for a record: the chosen and ranked nodes first, then rejected ones, at most
 * {@link RECORDED_VERDICTS} in all (the summary line is kept whole).
 */
export function boundedExplanation(e: PlacementExplanation): PlacementExplanation {
  if (e.nodes.length <= RECORDED_VERDICTS) return e;
  const order = (v: PlacementExplanation['nodes'][number]) =>
    v.verdict === 'chosen' ? 0 : v.rank !== undefined ? v.rank : v.verdict === 'eligible' ? 1e9 : 2e9;
  const nodes = [...e.nodes].sort((a, b) => order(a) - order(b)).slice(0, RECORDED_VERDICTS);
  return { ...e, nodes };
}

/** Why a container is moved: its node failed, or its node is draining. */
export type RescheduleTrigger = 'node_failure' | 'drain';

/**
 * How one attempt to move a container ended: `moved` (recorded on its new node), `no_node` (no node fits; retried
 * later), `failed` (the create failed, or a drain's new copy did not start; retried later) or `lost` (another
 * manager, or the loss of the leader lease, took the record: nothing is left behind).
 */
export type RescheduleResult = 'moved' | 'no_node' | 'failed' | 'lost';

/** What the rescheduler reports as it works (metrics). */
export interface RescheduleObserver {
  /** One attempt to move a container ended; `seconds` from the claim to the end. */
  moveEnded(trigger: RescheduleTrigger, result: RescheduleResult, seconds: number): void;
  /** A duplicate copy (a returning node's old container) was removed. */
  duplicateRemoved(): void;
}

/** Options of a {@link Rescheduler}. */
export interface ReschedulerOptions {
  readonly cluster: Cluster;
  readonly store: ClusterStateStore;
  /** True while this manager may act: it is the primary (always true without replication). */
  readonly isPrimary: () => boolean;
  /** How long a node must stay unhealthy or absent from discovery before it counts as failed. */
  readonly graceMs?: number;
  readonly intervalMs?: number;
  /** Moves of one drain running at once (default 4). */
  readonly drainParallel?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly observer?: RescheduleObserver;
}

/** A container that could not be moved yet, and why. */
export interface PendingReschedule {
  readonly swarmId: string;
  readonly name: string;
  /** The node it was on. */
  readonly node: string;
  readonly reason: string;
  readonly attempts: number;
  /** Epoch ms of the next attempt. */
  readonly nextAt: number;
}

/** Progress of a node's drain. */
export interface DrainStatus {
  /** Containers with a policy still on the node. */
  readonly remaining: readonly string[];
  /** Containers moved away so far by this manager. */
  readonly moved: readonly string[];
  /** Containers that stay (no reschedule policy), by name, with the reason. */
  readonly staying: readonly { readonly name: string; readonly reason: string }[];
  /** Moves that failed at their last attempt. */
  readonly failed: readonly { readonly name: string; readonly reason: string }[];
  /** True when nothing with a policy is left and the engine confirmed every moved container gone. */
  readonly done: boolean;
}

/**
 * Self-healing on the primary (docs/behaviour/rescheduling.md): keeps the desired state of every container that has the
 * `on-node-failure` policy in the {@link ClusterStateStore}, and each round (primary only):
 * - records new policy containers and changes (name, running, config after an `update`) seen on healthy nodes;
 * - forgets a record whose container was removed: seen gone from its healthy node, or destroyed (the engine's event)
 *   even if its node failed right after, so a container removed just before its node died is not brought back;
 * - creates a container again elsewhere (same name, config and swarm ID; the failed node excluded) when its node
 *   stayed unhealthy or absent for the grace period, starting it when it should run; the claim and the new record
 *   are conditional writes, so at most one manager acts on a record and a lost race removes its own copy;
 * - removes a copy whose swarm ID is recorded elsewhere (a returning node), without its volumes; a copy left on a
 *   failed node whose moved container was then removed by its user is removed too, not adopted (the record keeps
 *   the copies left behind, and their list outlives the record for {@link REMOVED_RETENTION_MS});
 * - drains nodes set to `drain`: each policy container is created again elsewhere and started, checked running,
 *   and only then is the old copy stopped and removed.
 * No node fits → retried with exponential backoff (1 s … 30 s); the reason is kept ({@link pending}) and sent as a
 * `reschedule_pending` event. A node must stay failed for the whole grace period, so a flapping node moves nothing.
 */
export class Rescheduler {
  private readonly cluster: Cluster;
  private readonly store: ClusterStateStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly graceMs: number;
  private readonly intervalMs: number;
  private readonly drainParallel: number;
  /** Engine ID → epoch ms since when it has been seen not healthy (or absent). */
  private readonly downSince = new Map<string, number>();
  private readonly pendingBySwarmId = new Map<string, PendingReschedule>();
  /** Container IDs whose config must be read again (an `update` event). */
  private readonly dirty = new Set<string>();
  /** Container IDs some engine reported destroyed, with when (see {@link DESTROYED_MEMORY_MS}). */
  private readonly destroyed = new Map<string, number>();
  /** Swarm IDs of containers removed through this manager, with when (kept as long as {@link destroyed}). */
  private readonly removedByUser = new Map<string, number>();
  private readonly drains = new Map<
    string,
    { moved: string[]; failed: Map<string, string>; gone: Set<string> }
  >();
  private availability = new Map<string, NodeAvailability>();
  /** Engine ID → version of its stored node record (absent: never set). */
  private nodeVersions = new Map<string, { version: string; updatedAt: number }>();
  /** Container ID → the placement explanation kept in its record, from the last round's read (primary only). */
  private recordedPlacements = new Map<string, PlacementExplanation>();
  private readonly stop = new AbortController();
  private loop: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly opts: ReschedulerOptions) {
    this.cluster = opts.cluster;
    this.store = opts.store;
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? pino({ level: 'silent' });
    this.graceMs = opts.graceMs ?? DEFAULT_RESCHEDULE_GRACE_MS;
    this.intervalMs = opts.intervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS;
    this.drainParallel = Math.max(1, opts.drainParallel ?? 4);
  }

  /** Starts the loop (idempotent). */
  start(): void {
    this.unsubscribe ??= this.cluster.events.subscribe((ev) => {
      const m = ev.message;
      if (m.Type !== 'container' || !m.Actor?.ID) return;
      if (m.Action === 'update') this.dirty.add(m.Actor.ID);
      else if (m.Action === 'destroy') this.destroyed.set(m.Actor.ID, this.clock.now());
    });
    this.loop ??= this.run();
  }

  /** Stops the loop and waits for a round in progress. */
  async close(): Promise<void> {
    this.stop.abort();
    this.unsubscribe?.();
    await this.loop;
  }

  /**
   * The placement explanation kept in the record of container `id` (full ID) as of the last round, so a primary
   * explains containers another manager placed; undefined when none is recorded or this manager is not primary.
   */
  recordedPlacement(id: string): PlacementExplanation | undefined {
    return this.opts.isPrimary() ? this.recordedPlacements.get(id) : undefined;
  }

  /**
   * A container was removed through this manager (one of its copies, whichever the remove found): the container is
   * gone. A move of it in progress removes its new copy, and the next round removes the recorded copy if that was
   * not the one removed (a node that is down has it removed when it returns) and forgets the record.
   */
  containerRemoved(swarmId: string): void {
    this.removedByUser.set(swarmId, this.clock.now());
  }

  /** Containers waiting for a node that fits, with the reason. */
  pending(): PendingReschedule[] {
    return [...this.pendingBySwarmId.values()];
  }

  /** The availability last read from the store (engine ID → availability; `active` when absent). */
  availabilityOf(engineId: string): NodeAvailability {
    return this.availability.get(engineId) ?? 'active';
  }

  /**
   * A node's availability with its version (`Version.Index` of the Swarm-mode node API: 0 until first set) and the
   * time of the last change (0 when never set).
   */
  nodeState(engineId: string): { availability: NodeAvailability; version: number; updatedAt: number } {
    const v = this.nodeVersions.get(engineId);
    return {
      availability: this.availabilityOf(engineId),
      version: v ? Number(v.version) : 0,
      updatedAt: v?.updatedAt ?? 0,
    };
  }

  /**
   * Stores a node's availability (guarded like every write of the primary) and applies it at once. With
   * `version`, the write succeeds only when the stored record still has that version.
   * @throws NodeUpdateOutOfSequenceError when the version is not the current one (409).
   * @throws NotPrimaryError when this manager does not hold the leader lease.
   */
  async setAvailability(engineId: string, availability: NodeAvailability, version?: number): Promise<void> {
    const current = (await this.store.nodes()).get(engineId);
    if (version !== undefined && version !== (current ? Number(current.version) : 0))
      throw new NodeUpdateOutOfSequenceError();
    const updatedAt = this.clock.now();
    const written = await this.store.putNode(
      engineId,
      { availability, updatedAt },
      current ? current.version : null,
    );
    if (!written) throw new NodeUpdateOutOfSequenceError();
    this.nodeVersions.set(engineId, { version: written, updatedAt });
    if (availability !== this.availabilityOf(engineId)) this.applyAvailability(engineId, availability);
    this.logger.info({ node: engineId, availability }, 'Node availability changed');
  }

  /** Applies an availability at once (after the API wrote it), without waiting for the next round. */
  applyAvailability(engineId: string, availability: NodeAvailability): void {
    this.availability.set(engineId, availability);
    this.cluster.placement.setAllowed(engineId, availability === 'active');
    if (availability === 'drain')
      this.drains.set(engineId, { moved: [], failed: new Map(), gone: new Set() });
  }

  /** Runs one reconcile round now (the loop calls it every interval). */
  async round(): Promise<void> {
    const now = this.clock.now();
    this.observe(now);
    for (const [id, at] of this.destroyed) if (now - at > DESTROYED_MEMORY_MS) this.destroyed.delete(id);
    for (const [sid, at] of this.removedByUser)
      if (now - at > DESTROYED_MEMORY_MS) this.removedByUser.delete(sid);
    await this.syncAvailability();
    if (!this.opts.isPrimary()) return;
    const records = await this.store.containers();
    for (const [swarmId, rec] of records) {
      if (!this.removedByUser.has(swarmId)) continue;
      await this.finishRemoval(rec, now);
      records.delete(swarmId);
    }
    const removed = await this.store.removed();
    const placements = new Map<string, PlacementExplanation>();
    for (const { value } of records.values())
      if (value.placement) placements.set(value.containerId, value.placement);
    this.recordedPlacements = placements;
    const copies = this.liveCopies();
    for (const [swarmId, list] of copies) {
      const rec = records.get(swarmId);
      const gone = rec ? undefined : removed.get(swarmId);
      const rest = gone ? await this.removeLeftBehind(gone, list) : list;
      if (rest.length > 0) await this.syncLive(swarmId, rest, rec);
    }
    await this.forgetSettled(removed, records);
    // Containers of failed nodes move in parallel (a bounded number at once): each waits for its engine calls.
    const missing = [...records].filter(([swarmId]) => !copies.has(swarmId)).map(([, rec]) => rec);
    for (let i = 0; i < missing.length; i += MOVES_AT_ONCE) {
      await Promise.all(missing.slice(i, i + MOVES_AT_ONCE).map((rec) => this.handleMissing(rec, now)));
    }
    for (const [engineId, availability] of this.availability) {
      if (availability === 'drain') await this.drainRound(engineId, copies, records);
    }
  }

  /** Drain progress of a node (engine ID); undefined when it is not draining. */
  drainStatus(engineId: string): DrainStatus | undefined {
    if (this.availabilityOf(engineId) !== 'drain') return undefined;
    const engine = this.cluster.engines().find((e) => e.id === engineId);
    const d = this.drains.get(engineId) ?? { moved: [], failed: new Map(), gone: new Set() };
    const remaining: string[] = [];
    const staying: { name: string; reason: string }[] = [];
    for (const c of engine?.cache.containers() ?? []) {
      const name = nameOf(c);
      if (d.gone.has(c.summary.Id)) continue;
      if (reschedulePolicyOf(c.summary.Labels) === 'on-node-failure' && swarmIdOf(c.summary.Labels))
        remaining.push(name);
      else staying.push({ name, reason: 'no reschedule policy' });
    }
    const failed = [...d.failed].map(([name, reason]) => ({ name, reason }));
    return { remaining, moved: [...d.moved], staying, failed, done: remaining.length === 0 };
  }

  private async run(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      try {
        await this.round();
      } catch (err) {
        this.logger.warn({ err: asError(err).message }, 'Reschedule round failed');
      }
      await this.clock.sleep(this.intervalMs, signal).catch(() => undefined);
    }
  }

  /** Notes since when each engine (and each recorded node no engine answers for) has been down. */
  private observe(now: number): void {
    const seen = new Set<string>();
    for (const e of this.cluster.engines()) {
      if (!e.id) continue;
      seen.add(e.id);
      if (e.state === 'healthy') this.downSince.delete(e.id);
      else if (!this.downSince.has(e.id)) this.downSince.set(e.id, now);
    }
    for (const id of this.downSince.keys())
      if (!seen.has(id) && !this.knownNodes.has(id)) this.downSince.delete(id);
    for (const id of this.knownNodes)
      if (!seen.has(id) && !this.downSince.has(id)) this.downSince.set(id, now);
  }

  /** Node IDs the records point at (so a node absent from discovery is timed too). */
  private knownNodes = new Set<string>();

  private async syncAvailability(): Promise<void> {
    const nodes = await this.store.nodes();
    const next = new Map<string, NodeAvailability>();
    const versions = new Map<string, { version: string; updatedAt: number }>();
    for (const [id, v] of nodes) {
      next.set(id, v.value.availability);
      versions.set(id, { version: v.version, updatedAt: v.value.updatedAt });
    }
    this.nodeVersions = versions;
    for (const id of new Set([...this.availability.keys(), ...next.keys()])) {
      const a = next.get(id) ?? 'active';
      if (a !== (this.availability.get(id) ?? 'active')) this.applyAvailability(id, a);
    }
    this.availability = next;
  }

  /** Every container carrying a swarm ID on a healthy engine, by swarm ID. */
  private liveCopies(): Map<string, { engine: Engine; c: CachedContainer }[]> {
    const out = new Map<string, { engine: Engine; c: CachedContainer }[]>();
    for (const engine of this.cluster.activeEngines()) {
      if (engine.state !== 'healthy') continue;
      for (const [sid, c] of this.withSwarmId(engine)) {
        let list = out.get(sid);
        if (!list) {
          list = [];
          out.set(sid, list);
        }
        list.push({ engine, c });
      }
    }
    return out;
  }

  /** Per engine, its containers that carry a swarm ID, as of one revision of its container list. */
  private readonly tagged = new WeakMap<
    Engine,
    { revision: number; list: readonly (readonly [string, CachedContainer])[] }
  >();

  /**
   * The containers of `engine` that carry a swarm ID, with it. Rebuilt only when the engine's container list
   * changed: a round runs every second, and reading every container's labels each time cost the manager a scan of
   * the whole fleet per second (1.7 s of CPU during a 3,000-engine sync).
   */
  private withSwarmId(engine: Engine): readonly (readonly [string, CachedContainer])[] {
    const revision = engine.cache.revision;
    const memo = this.tagged.get(engine);
    if (memo?.revision === revision) return memo.list;
    const list: [string, CachedContainer][] = [];
    for (const c of engine.cache.containers()) {
      const sid = swarmIdOf(c.summary.Labels);
      if (sid) list.push([sid, c]);
    }
    this.tagged.set(engine, { revision, list });
    return list;
  }

  private async syncLive(
    swarmId: string,
    list: { engine: Engine; c: CachedContainer }[],
    rec: Versioned<DesiredContainer> | undefined,
  ): Promise<void> {
    const withPolicy = list.filter((x) => reschedulePolicyOf(x.c.summary.Labels) === 'on-node-failure');
    if (withPolicy.length === 0) {
      if (rec) await this.store.removeContainer(swarmId, rec.version);
      return;
    }
    if (rec) this.knownNodes.add(rec.value.node.id);
    const current = rec ? list.find((x) => x.c.summary.Id === rec.value.containerId) : undefined;
    // The recorded copy wins; without one, the oldest live copy is adopted.
    const keep = current ?? [...withPolicy].sort((a, b) => a.c.summary.Created - b.c.summary.Created)[0]!;
    const removed = new Set<string>();
    for (const other of list) {
      if (other !== keep && !this.isDrainOld(other) && (await this.removeDuplicate(other, keep)))
        removed.add(other.c.summary.Id);
    }
    const v = rec?.value;
    const stale = this.stillOut(v?.staleCopies ?? [], removed);
    const running = keep.c.summary.State === 'running';
    const name = nameOf(keep.c);
    const same =
      v &&
      v.containerId === keep.c.summary.Id &&
      v.node.id === keep.engine.id &&
      v.name === name &&
      v.running === running &&
      (v.staleCopies?.length ?? 0) === stale.length &&
      !this.dirty.has(keep.c.summary.Id);
    this.pendingBySwarmId.delete(swarmId);
    if (same) return;
    await this.record(keep.engine, keep.c, rec, running, stale);
  }

  /**
   * The copies of `list` that a removed container left on failed nodes are removed (they are not adopted); the
   * others are returned. The list of copies still out is updated, and dropped once empty.
   */
  private async removeLeftBehind(
    gone: RemovedContainer,
    list: { engine: Engine; c: CachedContainer }[],
  ): Promise<{ engine: Engine; c: CachedContainer }[]> {
    const ids = new Set(gone.staleCopies.map((s) => s.containerId));
    const rest: { engine: Engine; c: CachedContainer }[] = [];
    const removed = new Set<string>();
    for (const x of list) {
      if (!ids.has(x.c.summary.Id)) {
        rest.push(x);
        continue;
      }
      if (await this.removeCopy(x)) {
        removed.add(x.c.summary.Id);
        this.logger.info(
          `Removed container ${x.c.summary.Id} on ${x.engine.name}: ${gone.name} was removed while the node was down`,
        );
      }
    }
    await this.updateRemoved(gone, removed);
    return rest;
  }

  /**
   * Ends what is remembered of removed containers: once no copy is out any more (each one removed or past the
   * retention), or when the container has a record again (a removal that lost its race).
   */
  private async forgetSettled(
    removed: Map<string, RemovedContainer>,
    records: Map<string, Versioned<DesiredContainer>>,
  ): Promise<void> {
    for (const gone of removed.values()) {
      if (records.has(gone.swarmId)) await this.store.forgetRemoved(gone.swarmId);
      else await this.updateRemoved(gone, new Set());
    }
  }

  private async updateRemoved(gone: RemovedContainer, removed: ReadonlySet<string>): Promise<void> {
    const out = this.stillOut(gone.staleCopies, removed);
    if (out.length === gone.staleCopies.length) return;
    if (out.length === 0) await this.store.forgetRemoved(gone.swarmId);
    else await this.store.putRemoved({ ...gone, staleCopies: out });
  }

  /**
   * The copies still remembered: those not `removed` now and within the retention. A copy is never dropped for
   * being absent from its node's cache: a node that just came back answers before its containers are read again.
   */
  private stillOut(list: readonly StaleCopy[], removed: ReadonlySet<string>): StaleCopy[] {
    const now = this.clock.now();
    return list.filter((s) => !removed.has(s.containerId) && now - s.since <= REMOVED_RETENTION_MS);
  }

  /** A container moved away by a drain whose old copy is being retired: left to the drain. */
  private isDrainOld(x: { engine: Engine }): boolean {
    return this.availabilityOf(x.engine.id) === 'drain';
  }

  private async record(
    engine: Engine,
    c: CachedContainer,
    rec: Versioned<DesiredContainer> | undefined,
    running: boolean,
    staleCopies: readonly StaleCopy[],
  ): Promise<void> {
    const id = c.summary.Id;
    let spec = rec && rec.value.containerId === id && !this.dirty.has(id) ? rec.value : undefined;
    if (!spec) {
      let info: ContainerInspect;
      try {
        info = await engine.client.json<ContainerInspect>('GET', `/containers/${id}/json`);
      } catch {
        return; // gone or unreachable: the next round sees
      }
      const cpus = sharesToCpus(Number(info.HostConfig.CpuShares ?? 0), engine.cpus);
      const { config, networks } = recreateSpec(info, cpus);
      spec = { ...(rec?.value as DesiredContainer), config, networks };
    }
    this.dirty.delete(id);
    const placement =
      this.placementOf(id) ?? (rec?.value.containerId === id ? rec.value.placement : undefined);
    const next: DesiredContainer = {
      swarmId: swarmIdOf(c.summary.Labels),
      name: nameOf(c),
      containerId: id,
      node: { id: engine.id, name: engine.name, addr: engine.addr },
      running,
      config: spec.config,
      networks: spec.networks,
      updatedAt: this.clock.now(),
      ...(placement ? { placement } : {}),
      ...(staleCopies.length > 0 ? { staleCopies } : {}),
    };
    await this.store.putContainer(next, rec ? rec.version : null);
    this.knownNodes.add(engine.id);
  }

  private async removeDuplicate(
    dup: { engine: Engine; c: CachedContainer },
    keep: { engine: Engine; c: CachedContainer },
  ): Promise<boolean> {
    if (!(await this.removeCopy(dup))) return false;
    this.logger.info(
      `Removed duplicate container ${dup.c.summary.Id} on ${dup.engine.name}: ${keep.c.summary.Id} runs on ${keep.engine.name}`,
    );
    return true;
  }

  /** Removes container `id` from `engine` (forced, without its volumes: they stay on the node); true when gone. */
  private async removeFrom(engine: Engine, id: string): Promise<boolean> {
    try {
      await engine.client.json('DELETE', `/containers/${id}`, undefined, { query: { force: '1' } });
    } catch (err) {
      if (!(err instanceof EngineRequestError && err.status === 404)) {
        this.logger.warn({ err: asError(err).message, id, node: engine.name }, 'Failed to remove container');
        return false;
      }
    }
    engine.cache.removeContainer(id);
    return true;
  }

  /** Removes a copy that must not run; true when it is gone. */
  private async removeCopy(x: { engine: Engine; c: CachedContainer }): Promise<boolean> {
    if (!(await this.removeFrom(x.engine, x.c.summary.Id))) return false;
    this.opts.observer?.duplicateRemoved();
    return true;
  }

  private async handleMissing(rec: Versioned<DesiredContainer>, now: number): Promise<void> {
    const v = rec.value;
    this.knownNodes.add(v.node.id);
    const engine = this.cluster.engines().find((e) => e.id === v.node.id);
    // Its engine said it was destroyed: removed, whatever became of the node since.
    if (this.destroyed.has(v.containerId)) {
      await this.forget(v, rec.version, now);
      return;
    }
    if (engine?.state === 'healthy') {
      // The node is up and the container is not on it: it was removed. Forget it (unless a create is settling).
      if (now - v.updatedAt < 2 * this.intervalMs + 2000) return;
      await this.forget(v, rec.version, now);
      return;
    }
    const down = this.downSince.get(v.node.id) ?? now;
    if (now - down < this.graceMs) return;
    const p = this.pendingBySwarmId.get(v.swarmId);
    if (p && p.nextAt > now) return;
    await this.moveAway(rec, engine, 'failed');
  }

  /**
   * The record of a container removed through this manager: its recorded copy goes too when the remove found another
   * one (removed now on a live node, else remembered with the copies left on failed nodes), and the record is
   * forgotten.
   */
  private async finishRemoval(rec: Versioned<DesiredContainer>, now: number): Promise<void> {
    const v = rec.value;
    const engine = this.cluster.engines().find((e) => e.id === v.node.id);
    const up = engine?.state === 'healthy';
    if (up && engine.cache.container(v.containerId) && !(await this.removeFrom(engine, v.containerId)))
      return;
    if (!up && !this.destroyed.has(v.containerId)) {
      // its node is down with it: removed when the node returns
      const left = { node: v.node, containerId: v.containerId, since: now };
      await this.forget({ ...v, staleCopies: [...(v.staleCopies ?? []), left] }, rec.version, now);
    } else {
      await this.forget(v, rec.version, now);
    }
    this.removedByUser.delete(v.swarmId);
  }

  /**
   * Forgets the record of a removed container, remembering first the copies earlier moves left on failed nodes, so
   * none is adopted when its node returns.
   */
  private async forget(v: DesiredContainer, version: string, now: number): Promise<void> {
    const stale = this.stillOut(v.staleCopies ?? [], new Set(this.destroyed.keys()));
    if (stale.length > 0)
      await this.store.putRemoved({ swarmId: v.swarmId, name: v.name, removedAt: now, staleCopies: stale });
    await this.store.removeContainer(v.swarmId, version);
    this.pendingBySwarmId.delete(v.swarmId);
  }

  /**
   * Creates the container again on another node and records it there. `why`: the node failed (the old copy is
   * gone with it) or is draining (the old copy is stopped and removed only after the new one runs).
   * Resolves true when the new copy is recorded.
   */
  private async moveAway(
    rec: Versioned<DesiredContainer>,
    engine: Engine | undefined,
    why: 'failed' | 'drain',
  ): Promise<boolean> {
    const started = this.clock.now();
    const result = await this.tryMove(rec, engine, why);
    this.opts.observer?.moveEnded(
      why === 'failed' ? 'node_failure' : 'drain',
      result,
      (this.clock.now() - started) / 1000,
    );
    return result === 'moved';
  }

  private async tryMove(
    rec: Versioned<DesiredContainer>,
    engine: Engine | undefined,
    why: 'failed' | 'drain',
  ): Promise<RescheduleResult> {
    const v = rec.value;
    const from = engine?.name || v.node.name;
    // Claim the record: a conditional write that fails when another manager acts or this one lost the lease.
    const claim = await this.store.putContainer({ ...v, updatedAt: this.clock.now() }, rec.version);
    if (!claim) return 'lost';
    let renamed = false;
    // The dead node's cache holds the last state seen there; the record follows it up to a round late, so a node
    // that died right after a start must not make the container look stopped.
    const last = why === 'failed' ? engine?.cache.container(v.containerId) : undefined;
    const shouldRun = last ? last.info.State.Running === true : v.running;
    if (why === 'failed') {
      // The dead node's cached copy would hold the name (Swarm removed it from the node's state too).
      engine?.cache.removeContainer(v.containerId);
      await this.disconnectGlobal(v);
    } else if (engine) {
      // The old copy keeps running until the new one does; it gives its name up first.
      const parked = `${v.name}-drained-${v.containerId.slice(0, 12)}`;
      await engine.client.json('POST', `/containers/${v.containerId}/rename`, undefined, {
        query: { name: parked },
      });
      renamed = true;
      await engine.cache.refreshContainer(v.containerId).catch(() => undefined);
    }
    let created: CreateResult;
    try {
      created = await this.cluster.placement.createContainer(v.config, v.name, {
        swarmId: v.swarmId,
        exclude: [v.node.id],
      });
    } catch (err) {
      if (renamed && engine) {
        await engine.client
          .json('POST', `/containers/${v.containerId}/rename`, undefined, { query: { name: v.name } })
          .catch(() => undefined);
        await engine.cache.refreshContainer(v.containerId).catch(() => undefined);
      }
      // Not moved: the old copy is listed on its dead node again (as Swarm adds it back), until a move succeeds.
      if (why === 'failed' && last) engine?.cache.reinstate(last);
      this.deferred(v, from, asError(err).message);
      return err instanceof NoNodeAvailableError ? 'no_node' : 'failed';
    }
    const to = created.node;
    for (const n of v.networks) {
      await to.client
        .json('POST', `/networks/${encodeURIComponent(n.name)}/connect`, {
          Container: created.Id,
          EndpointConfig: n.aliases.length > 0 ? { Aliases: n.aliases } : {},
        })
        .catch((err: unknown) =>
          this.logger.warn({ err: asError(err).message, network: n.name }, 'Failed to reconnect network'),
        );
    }
    let started = !shouldRun;
    if (shouldRun) {
      this.logger.info(`Container ${v.containerId} was running, starting container ${created.Id}`);
      try {
        await to.client.json('POST', `/containers/${created.Id}/start`);
        const info = await to.client.json<ContainerInspect>('GET', `/containers/${created.Id}/json`);
        started = info.State.Running;
      } catch (err) {
        this.logger.error(
          { err: asError(err).message },
          `Failed to start rescheduled container ${created.Id}`,
        );
      }
    }
    void to.cache.refreshContainer(created.Id).catch(() => undefined);
    const { placement: _old, staleCopies: before = [], ...rest } = v;
    const placement = this.placementOf(created.Id);
    // A failed node may come back with its copy: it is remembered until seen gone.
    const left = { node: v.node, containerId: v.containerId, since: this.clock.now() };
    const staleCopies = why === 'failed' ? [...before, left] : before;
    const next: DesiredContainer = {
      ...rest,
      containerId: created.Id,
      node: { id: to.id, name: to.name, addr: to.addr },
      running: shouldRun,
      updatedAt: this.clock.now(),
      ...(placement ? { placement } : {}),
      ...(staleCopies.length > 0 ? { staleCopies } : {}),
    };
    let saved: string | undefined;
    try {
      saved = await this.store.putContainer(next, claim);
    } catch {
      saved = undefined;
    }
    if (!saved || (why === 'drain' && !started)) {
      // Lost the record (another manager, or the lease), or a drain whose new copy does not run: undo.
      await to.client
        .json('DELETE', `/containers/${created.Id}`, undefined, { query: { force: '1' } })
        .catch(() => undefined);
      to.cache.removeContainer(created.Id);
      if (renamed && engine) {
        await engine.client
          .json('POST', `/containers/${v.containerId}/rename`, undefined, { query: { name: v.name } })
          .catch(() => undefined);
        await engine.cache.refreshContainer(v.containerId).catch(() => undefined);
      }
      if (saved === undefined && why === 'drain' && started) return 'lost';
      if (why === 'drain') this.deferred(v, from, 'the new copy did not start');
      return saved === undefined ? 'lost' : 'failed';
    }
    const gone = this.destroyed.has(v.containerId) || this.removedByUser.has(v.swarmId);
    if (gone && (await this.removeFrom(to, created.Id))) {
      // Its user removed it while it moved (the old node was back and took the remove): the new copy goes too.
      this.logger.info(
        `Removed container ${created.Id} on ${to.name}: ${v.name} was removed while it was moved from ${from}`,
      );
      await this.forget(next, saved, this.clock.now());
      return 'lost';
    }
    this.pendingBySwarmId.delete(v.swarmId);
    this.logger.info(`Rescheduled container ${v.containerId} from ${from} to ${to.name} as ${created.Id}`);
    this.emit(to, 'container_rescheduled', created.Id, {
      name: v.name,
      'com.docker.swarm.id': v.swarmId,
      'old.id': v.containerId,
      'from.node': from,
      reason: why === 'failed' ? 'node failed' : 'node drained',
    });
    return 'moved';
  }

  /** This manager's explanation of a placement, bounded for a record. */
  private placementOf(id: string): PlacementExplanation | undefined {
    const e = this.cluster.placement.explanationOf(id);
    return e ? boundedExplanation(e) : undefined;
  }

  /** Forced disconnect of the old container from global networks, through any healthy engine (docs/behaviour/rescheduling.md#networks). */
  private async disconnectGlobal(v: DesiredContainer): Promise<void> {
    const names = new Set([String(v.config.HostConfig?.NetworkMode ?? ''), ...v.networks.map((n) => n.name)]);
    for (const { node, network } of this.cluster.networks()) {
      if (node.state !== 'healthy' || !names.has(network.Name)) continue;
      if (network.Scope !== 'global' && network.Scope !== 'swarm') continue;
      names.delete(network.Name);
      await node.client
        .json('POST', `/networks/${network.Id}/disconnect`, { Container: v.containerId, Force: true })
        .catch(() => undefined);
    }
  }

  private deferred(v: DesiredContainer, from: string, reason: string): void {
    const before = this.pendingBySwarmId.get(v.swarmId);
    const attempts = (before?.attempts ?? 0) + 1;
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (attempts - 1));
    this.pendingBySwarmId.set(v.swarmId, {
      swarmId: v.swarmId,
      name: v.name,
      node: from,
      reason,
      attempts,
      nextAt: this.clock.now() + delay,
    });
    if (before?.reason !== reason) {
      this.logger.warn(`Failed to reschedule container ${v.containerId} from ${from}: ${reason}`);
      const engine = this.cluster.engines().find((e) => e.id === v.node.id);
      if (engine) {
        this.emit(engine, 'reschedule_pending', v.containerId, {
          name: v.name,
          'com.docker.swarm.id': v.swarmId,
          reason,
        });
      }
    }
  }

  private emit(engine: Engine, action: string, id: string, attrs: Record<string, string>): void {
    const now = this.clock.now();
    this.cluster.events.emit({
      engine,
      message: annotateEvent(
        {
          status: action,
          id,
          from: 'swarm',
          Type: 'swarm',
          Action: action,
          Actor: { ID: id, Attributes: attrs },
          time: Math.floor(now / 1000),
          timeNano: now * 1e6,
        },
        engine,
      ),
    });
  }

  private async drainRound(
    engineId: string,
    copies: Map<string, { engine: Engine; c: CachedContainer }[]>,
    records: Map<string, Versioned<DesiredContainer>>,
  ): Promise<void> {
    const engine = this.cluster.engines().find((e) => e.id === engineId);
    if (engine?.state !== 'healthy') return;
    let d = this.drains.get(engineId);
    if (!d) {
      d = { moved: [], failed: new Map(), gone: new Set() };
      this.drains.set(engineId, d);
    }
    const drain = d;
    const todo: Versioned<DesiredContainer>[] = [];
    for (const [swarmId, rec] of records) {
      if (rec.value.node.id !== engineId) continue;
      const live = copies.get(swarmId)?.some((x) => x.c.summary.Id === rec.value.containerId);
      if (!live) continue;
      const p = this.pendingBySwarmId.get(swarmId);
      if (p && p.nextAt > this.clock.now()) continue;
      todo.push(rec);
    }
    // The old copy of a moved container is retired in the background: its stop waits for the container's own stop
    // timeout, which must not hold the next move back. The round ends when every retirement has.
    const retiring: Promise<void>[] = [];
    const retire = async (v: DesiredContainer): Promise<void> => {
      await engine.client.json('POST', `/containers/${v.containerId}/stop`).catch(() => undefined);
      await engine.client
        .json('DELETE', `/containers/${v.containerId}`, undefined, { query: { force: '1' } })
        .catch(() => undefined);
      // done only once the engine confirms the old copy is gone
      const gone = await engine.client.json('GET', `/containers/${v.containerId}/json`).then(
        () => false,
        (err: unknown) => err instanceof EngineRequestError && err.status === 404,
      );
      if (gone) {
        engine.cache.removeContainer(v.containerId);
        drain.gone.add(v.containerId);
        drain.moved.push(v.name);
      }
    };
    const move = async (rec: Versioned<DesiredContainer>): Promise<void> => {
      const v = rec.value;
      try {
        if (!(await this.moveAway(rec, engine, 'drain'))) {
          drain.failed.set(v.name, this.pendingBySwarmId.get(v.swarmId)?.reason ?? 'not moved');
          return;
        }
        drain.failed.delete(v.name);
        retiring.push(retire(v).catch((err: unknown) => void drain.failed.set(v.name, asError(err).message)));
      } catch (err) {
        drain.failed.set(v.name, asError(err).message);
      }
    };
    // `drainParallel` moves at once, each worker taking the next container as soon as its move is done.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < todo.length) await move(todo[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(this.drainParallel, todo.length) }, worker));
    await Promise.all(retiring);
  }
}

function nameOf(c: CachedContainer): string {
  return (c.summary.Names[0] ?? c.info.Name ?? '').replace(/^\//, '').replace(/^.*\//, '');
}
