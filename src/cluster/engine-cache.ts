import type { EngineClient } from '../engine/engine-client.js';
import { EngineNotFoundError } from '../engine/errors.js';
import { reconcileSummary } from './container-status.js';
import type {
  ContainerInspect,
  ContainerSummary,
  ImageSummary,
  NetworkResource,
  VolumeResource,
} from './engine-types.js';
import { Limiter } from './limiter.js';

/**
 * One cached container: the list entry (for `ps`) and the parts of the inspect document lookups, scheduling and
 * `docker info` read (see {@link slimInspect}); `docker inspect` itself is proxied to the engine.
 */
export interface CachedContainer {
  readonly summary: ContainerSummary;
  readonly info: ContainerInspect;
}

/** Per-engine container totals for `docker info`, kept by {@link EngineCache.stats}. */
export interface ContainerStats {
  readonly total: number;
  readonly running: number;
  readonly paused: number;
  readonly stopped: number;
  /** Sum of the containers' `HostConfig.CpuShares` (raw shares). */
  readonly cpuShares: number;
  /** Sum of the containers' `HostConfig.Memory`, bytes. */
  readonly memory: number;
}

/** A read of one container in flight, and the one queued to start after it. */
interface ContainerRead {
  readonly done: Promise<void>;
  next?: Promise<CachedContainer | undefined>;
}

const noop = (): void => undefined;

/** Runs an engine call under a concurrency limit (the cluster shares one {@link Limiter}-like function). */
export type CallLimit = <T>(task: () => Promise<T>) => Promise<T>;

const unlimited: CallLimit = (task) => task();

/**
 * Resolves at the next turn of the event loop (after I/O callbacks). An engine call that follows another waits for
 * it: undici hands a connection back to its pool only after the answer's callbacks, and a call issued before that
 * opens a second connection (kept alive for a minute).
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Inspects one engine runs at once. Each takes a slot of the engine's own limit before a slot of the shared one,
 * so each engine keeps to one kept-alive connection (plus its event stream) whatever the fleet's size: at 1,000
 * engines, letting one engine take all shared slots opened ~17 sockets per engine and kept them, and 4 inspects at
 * once ~5 (past the usual limit of 20,000 open files at 5,000 engines). The cluster syncs many engines at once
 * instead (EngineValidator's SYNCS_AT_ONCE).
 */
export const INSPECTS_PER_ENGINE = 1;

function pick<T extends object>(
  from: T | null | undefined,
  keys: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!from) return out;
  for (const k of keys) {
    const v = (from as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/**
 * The fields of an inspect document the manager keeps per container: identity and name, image, state (with times
 * and exit code), labels, exposed ports, and the HostConfig / NetworkSettings parts scheduling reads (resources,
 * network mode, port bindings, published ports). Everything else (Env, Mounts, full network endpoints, ...) is
 * dropped: at 30,000 containers full documents dominate the manager's memory, and `docker inspect` is proxied.
 */
export function slimInspect(info: ContainerInspect): ContainerInspect {
  return {
    Id: info.Id,
    Name: info.Name,
    Created: info.Created,
    Image: info.Image,
    State: pick(info.State, [
      'Status',
      'Running',
      'Paused',
      'Restarting',
      'OOMKilled',
      'Dead',
      'ExitCode',
      'StartedAt',
      'FinishedAt',
      'Health',
    ]) as ContainerInspect['State'],
    Config: pick(info.Config, ['Image', 'Labels', 'ExposedPorts']) as ContainerInspect['Config'],
    HostConfig: pick(info.HostConfig, [
      'CpuShares',
      'NanoCpus',
      'Memory',
      'NetworkMode',
      'PortBindings',
      'RestartPolicy',
    ]) as ContainerInspect['HostConfig'],
    NetworkSettings: pick(info.NetworkSettings, ['Ports']),
  };
}

/**
 * The fields of a list entry whose change makes the cache re-inspect a container: state, names, image, port count,
 * exit code, health and networks (not the ever-changing uptime text). Restarts in between are caught by engine
 * events.
 */
function changeKey(s: ContainerSummary): string {
  const exit = /^Exited \((-?\d+)\)/.exec(s.Status)?.[1] ?? '';
  const health = /\((healthy|unhealthy|health: starting)\)/.exec(s.Status)?.[1] ?? '';
  const networks = Object.keys((s.NetworkSettings as { Networks?: object } | undefined)?.Networks ?? {}).join(
    ',',
  );
  return `${s.State}|${s.Names.join(',')}|${s.Image}|${(s.Ports ?? []).length}|${exit}|${health}|${networks}`;
}

/**
 * The cached view of one engine's containers, images, networks and volumes. All reads are synchronous; the
 * `refresh*` methods fetch from the engine and replace the corresponding part. Failures propagate (the client
 * already counted them against the engine's health).
 */
export class EngineCache {
  private readonly byId = new Map<string, CachedContainer>();
  private imageList: ImageSummary[] = [];
  private imageKey = '';
  private networkList: NetworkResource[] = [];
  private volumeList: VolumeResource[] = [];
  private contentVersion = 0;
  private listRevision = 0;
  private listMemo: { rev: number; list: readonly CachedContainer[] } | undefined;
  private statsMemo: { version: number; stats: ContainerStats } | undefined;
  private readonly ownInspects: Limiter;
  /** Numbers the reads of this engine in the order they are asked for (see {@link asOf}). */
  private issued = 0;
  /**
   * For each cached container, the number of the read its entry comes from; for a provisional entry, the last
   * number issued when it was recorded. An answer is applied to a container only when its read was asked for after
   * the one already applied, so a state change an event reported (and the read it triggered) is never undone by an
   * older answer that arrives later.
   */
  private readonly asOf = new Map<string, number>();
  /** Containers recorded by the manager itself and not yet read from the engine. */
  private readonly provisional = new Set<string>();
  /** Removed containers, with the number a read must exceed to bring them back (pruned once no older read is out). */
  private readonly tombstones = new Map<string, number>();
  /** Numbers of the reads still in flight. */
  private readonly pending = new Set<number>();
  /** Single-container reads in flight by the ID asked for, each with the read queued after it (see refreshContainer). */
  private readonly reading = new Map<string, ContainerRead>();

  /**
   * @param skewMs engine clock minus manager clock in ms (docs/behaviour/nodes.md#clock-skew); when non-zero,
   * container times read from the engine are shifted into the manager's clock so uptimes print right.
   * @param limit runs each container inspect (default: no limit); the cluster passes one limit shared by all engines.
   * @param changed told the ID of every container added, re-read or dropped, with its new entry (undefined when
   * dropped).
   * @param inspectsAtOnce inspects of this engine at once (default {@link INSPECTS_PER_ENGINE}).
   */
  constructor(
    private readonly client: EngineClient,
    private readonly skewMs: () => number = () => 0,
    private readonly limit: CallLimit = unlimited,
    private readonly changed: (id: string, entry: CachedContainer | undefined) => void = () => undefined,
    inspectsAtOnce = INSPECTS_PER_ENGINE,
  ) {
    this.ownInspects = new Limiter(inspectsAtOnce);
  }

  /**
   * Changes whenever something a scheduler snapshot or `docker info` reads changes: a container added, removed or
   * re-inspected, or the image list. A refresh that only renews list entries (uptime text) keeps it.
   */
  get version(): number {
    return this.contentVersion;
  }

  /**
   * Changes on every change of the container list: a container added, removed or re-read. A refresh that only
   * renews uptime texts (updated in place) keeps it.
   */
  get revision(): number {
    return this.listRevision;
  }

  /**
   * Every cached container (all states). The same array is returned until the container list changes; treat it as
   * read-only.
   */
  containers(): CachedContainer[] {
    if (this.listMemo?.rev !== this.listRevision)
      this.listMemo = { rev: this.listRevision, list: [...this.byId.values()] };
    return this.listMemo.list as CachedContainer[];
  }

  /** Container totals by state and reserved resources, recomputed only after {@link version} changed. */
  stats(): ContainerStats {
    if (this.statsMemo?.version === this.contentVersion) return this.statsMemo.stats;
    let running = 0;
    let paused = 0;
    let stopped = 0;
    let cpuShares = 0;
    let memory = 0;
    for (const c of this.byId.values()) {
      const st = c.info.State;
      if (st?.Paused) paused++;
      else if (st?.Running) running++;
      else stopped++;
      cpuShares += c.info.HostConfig?.CpuShares ?? 0;
      memory += c.info.HostConfig?.Memory ?? 0;
    }
    const stats = { total: this.byId.size, running, paused, stopped, cpuShares, memory };
    this.statsMemo = { version: this.contentVersion, stats };
    return stats;
  }

  /** Starts a read: its number, counted as in flight until {@link end}. */
  private begin(): number {
    const n = ++this.issued;
    this.pending.add(n);
    return n;
  }

  /** Ends a read; forgets tombstones no read still in flight could undo. */
  private end(n: number): void {
    this.pending.delete(n);
    if (this.tombstones.size === 0) return;
    let oldest = Number.POSITIVE_INFINITY;
    for (const p of this.pending) if (p < oldest) oldest = p;
    for (const [id, at] of this.tombstones) if (at < oldest) this.tombstones.delete(id);
  }

  /**
   * True when an answer of read `n` about container `id` is newer than what the cache holds: its read was asked for
   * after the read (or removal) the cached state comes from. A provisional entry gives way to any engine answer.
   */
  private newer(id: string, n: number, replacing = true): boolean {
    if (replacing && this.provisional.has(id)) return true;
    const at = this.asOf.get(id) ?? this.tombstones.get(id);
    return at === undefined || n > at;
  }

  private put(id: string, entry: CachedContainer, changed: boolean, n: number): void {
    this.byId.set(id, entry);
    this.asOf.set(id, n);
    this.tombstones.delete(id);
    this.listRevision++;
    if (changed) this.contentVersion++;
    this.changed(id, entry);
  }

  private drop(id: string, n: number): void {
    this.provisional.delete(id);
    this.asOf.delete(id);
    if (this.pending.size > 0) this.tombstones.set(id, n);
    if (!this.byId.delete(id)) return;
    this.listRevision++;
    this.contentVersion++;
    this.changed(id, undefined);
  }

  /** The cached container with this full ID. */
  container(id: string): CachedContainer | undefined {
    return this.byId.get(id);
  }

  images(): readonly ImageSummary[] {
    return this.imageList;
  }

  networks(): readonly NetworkResource[] {
    return this.networkList;
  }

  volumes(): readonly VolumeResource[] {
    return this.volumeList;
  }

  /** Lists all containers, inspects new or changed ones (all of them when `full`), drops removed ones. */
  async refreshContainers(full = false): Promise<void> {
    const n = this.begin();
    try {
      const list = await this.client.json<ContainerSummary[]>('GET', '/containers/json', undefined, {
        query: { all: 1 },
      });
      const seen = new Set<string>();
      // the list's connection is free for the first inspect
      await nextTurn();
      await Promise.all(
        list.map(async (summary) => {
          seen.add(summary.Id);
          if (!this.newer(summary.Id, n)) return;
          const old = this.byId.get(summary.Id);
          if (
            !full &&
            old &&
            !this.provisional.has(summary.Id) &&
            changeKey(old.summary) === changeKey(summary)
          ) {
            // Only the uptime text moved: renew it in place. Keeping the entry (and the list revision) means a
            // periodic refresh makes no long-lived garbage and leaves every index built over the list valid.
            old.summary.Status = summary.Status;
            return;
          }
          const info = await this.inspect(summary.Id);
          // The list entry is as old as the list: the whole entry counts as read `n`.
          if (info && this.newer(summary.Id, n)) {
            this.provisional.delete(summary.Id);
            this.put(summary.Id, this.entry(summary, info), true, n);
          }
        }),
      );
      for (const id of [...this.byId.keys()]) if (!seen.has(id) && this.newer(id, n, false)) this.drop(id, n);
    } finally {
      this.end(n);
    }
  }

  /**
   * Re-reads one container (list entry + inspect). Removes it from the cache when the engine no longer knows it.
   * Returns the cached entry afterwards (undefined when it is gone). An answer older than what the cache holds
   * (see {@link newer}) changes nothing.
   *
   * Asked while a read of the same container is in flight, the new read starts once that one has ended (it may have
   * been sent before the change the caller knows of), and every caller asking in the meantime shares it: the refresh
   * after a create, the create and start events and the refresh after a start make two reads instead of four, and
   * each engine keeps to fewer connections.
   */
  refreshContainer(id: string): Promise<CachedContainer | undefined> {
    const running = this.reading.get(id);
    if (!running) return this.readContainer(id);
    running.next ??= running.done.then(() => this.readContainer(id));
    return running.next;
  }

  /** Starts a read of one container now, recorded in {@link reading} while it runs. */
  private readContainer(id: string): Promise<CachedContainer | undefined> {
    const read = this.readContainerNow(id);
    const entry: ContainerRead = { done: read.then(noop, noop) };
    this.reading.set(id, entry);
    // registered before any follower's `then`, so a follower finds the way clear when it starts
    void entry.done.then(() => {
      if (this.reading.get(id) === entry) this.reading.delete(id);
    });
    return read;
  }

  private async readContainerNow(id: string): Promise<CachedContainer | undefined> {
    const n = this.begin();
    try {
      const [list, info] = await Promise.all([
        this.client.json<ContainerSummary[]>('GET', '/containers/json', undefined, {
          query: { all: 1, filters: JSON.stringify({ id: [id] }) },
        }),
        this.inspect(id),
      ]);
      const summary = list.find((c) => c.Id === id || c.Id === info?.Id);
      if (!summary || !info) {
        if (this.newer(id, n, false)) this.drop(id, n);
        if (info && this.newer(info.Id, n, false)) this.drop(info.Id, n);
        return this.byId.get(info?.Id ?? id);
      }
      if (!this.newer(summary.Id, n)) return this.byId.get(summary.Id);
      const entry = this.entry(summary, info);
      this.provisional.delete(summary.Id);
      this.put(summary.Id, entry, true, n);
      return entry;
    } finally {
      this.end(n);
    }
  }

  /**
   * Records a container the manager just created, from its create body, so lookups by ID or name work at once;
   * the engine's own view replaces it on the next refresh of that container. No-op when already cached.
   */
  addProvisional(
    id: string,
    name: string | undefined,
    body: {
      Image?: string;
      Labels?: Record<string, string> | null;
      HostConfig?: Record<string, unknown> | null;
    },
    nowMs: number,
  ): void {
    if (this.byId.has(id)) return;
    const labels = body.Labels ?? {};
    this.provisional.add(id);
    const names = name ? [`/${name}`] : [];
    this.put(
      id,
      {
        summary: {
          Id: id,
          Names: names,
          Image: body.Image ?? '',
          ImageID: '',
          Created: Math.floor(nowMs / 1000),
          State: 'created',
          Status: 'Created',
          Labels: labels,
        },
        info: {
          Id: id,
          Name: names[0] ?? '',
          Created: new Date(nowMs).toISOString(),
          Image: '',
          State: { Status: 'created', Running: false, Paused: false },
          Config: { Image: body.Image ?? '', Labels: labels },
          HostConfig: { ...(body.HostConfig ?? {}) },
        },
      },
      true,
      // Reads asked for before now may predate the container: they neither drop it nor keep it from being replaced.
      this.issued,
    );
  }

  /**
   * Drops a container from the cache (after a `destroy` event or a remove through the manager). Answers of reads
   * asked for before this call cannot bring it back.
   */
  removeContainer(id: string): void {
    this.drop(id, ++this.issued);
  }

  /**
   * Puts back an entry {@link removeContainer} took out, when nothing has cached that container since (a move off
   * a failed node that could not be made: the container stays listed on its node, as `Host Down`).
   */
  reinstate(entry: CachedContainer): void {
    const id = entry.summary.Id;
    if (this.byId.has(id)) return;
    this.put(id, entry, true, ++this.issued);
  }

  async refreshImages(): Promise<void> {
    const list = await this.client.json<ImageSummary[]>('GET', '/images/json', undefined, {
      query: { all: 1 },
    });
    const key = list.map((i) => `${i.Id}=${(i.RepoTags ?? []).join(',')}`).join('|');
    this.imageList = list;
    if (key !== this.imageKey) {
      this.imageKey = key;
      this.contentVersion++;
    }
  }

  async refreshNetworks(): Promise<void> {
    this.networkList = await this.client.json<NetworkResource[]>('GET', '/networks');
  }

  async refreshVolumes(): Promise<void> {
    const res = await this.client.json<{ Volumes?: VolumeResource[] | null }>('GET', '/volumes');
    this.volumeList = res.Volumes ?? [];
  }

  /**
   * Adds a network to the cached view without asking the engine (a new global network seen elsewhere,
   * docs/behaviour/lookup.md#networks).
   */
  addNetwork(net: NetworkResource): void {
    if (!this.networkList.some((n) => n.Id === net.Id)) this.networkList = [...this.networkList, net];
  }

  /**
   * Refreshes containers, images, networks and volumes, one after the other: a refresh is background work, and one
   * call at a time (the inspects aside) keeps each engine to one or two kept-alive connections. At 3,000 engines,
   * four lists at once per engine left ~6 sockets per engine open, past the default limit of open files.
   */
  async refreshAll(full = false): Promise<void> {
    // after the engine's /version (validation, refresh), so the list reuses its connection
    await nextTurn();
    await this.refreshContainers(full);
    await nextTurn();
    await this.refreshImages();
    await nextTurn();
    await this.refreshNetworks();
    await nextTurn();
    await this.refreshVolumes();
  }

  /** The cached entry for a list entry and the inspect read with it (see {@link reconcileSummary}). */
  private entry(summary: ContainerSummary, info: ContainerInspect): CachedContainer {
    const i = this.deskewInfo(info);
    return { summary: reconcileSummary(this.deskewSummary(summary), i, Date.now()), info: i };
  }

  private deskewSummary(s: ContainerSummary): ContainerSummary {
    const skew = this.skewMs();
    return skew === 0 ? s : { ...s, Created: s.Created - Math.round(skew / 1000) };
  }

  private deskewInfo(info: ContainerInspect): ContainerInspect {
    const skew = this.skewMs();
    if (skew === 0) return info;
    const shift = (t: unknown): unknown => {
      if (typeof t !== 'string' || t.startsWith('0001-')) return t;
      const ms = Date.parse(t);
      return Number.isNaN(ms) ? t : new Date(ms - skew).toISOString();
    };
    return {
      ...info,
      Created: shift(info.Created) as string,
      State: {
        ...info.State,
        StartedAt: shift(info.State.StartedAt),
        FinishedAt: shift(info.State.FinishedAt),
      },
    };
  }

  private async inspect(id: string): Promise<ContainerInspect | undefined> {
    try {
      return slimInspect(
        await this.ownInspects.run(async () => {
          const info = await this.limit(() =>
            this.client.json<ContainerInspect>('GET', `/containers/${encodeURIComponent(id)}/json`),
          );
          // The connection is handed back to the pool only after this turn of the event loop: keeping the slot
          // until then lets the next inspect reuse it instead of opening another socket.
          await nextTurn();
          return info;
        }),
      );
    } catch (err) {
      if (err instanceof EngineNotFoundError) return undefined;
      throw err;
    }
  }
}
