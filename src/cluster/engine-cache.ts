import type { EngineClient } from '../engine/engine-client.js';
import { EngineRequestError } from '../engine/errors.js';
import type {
  ContainerInspect,
  ContainerSummary,
  ImageSummary,
  NetworkResource,
  VolumeResource,
} from './engine-types.js';

/** One cached container: the list entry (for `ps`) and the inspect document (for lookups and scheduling). */
export interface CachedContainer {
  readonly summary: ContainerSummary;
  readonly info: ContainerInspect;
}

/**
 * The fields of a list entry whose change makes the cache re-inspect a container: state, names, image, port count,
 * exit code and health (not the ever-changing uptime text). Restarts in between are caught by engine events.
 */
function changeKey(s: ContainerSummary): string {
  const exit = /^Exited \((-?\d+)\)/.exec(s.Status)?.[1] ?? '';
  const health = /\((healthy|unhealthy|health: starting)\)/.exec(s.Status)?.[1] ?? '';
  return `${s.State}|${s.Names.join(',')}|${s.Image}|${(s.Ports ?? []).length}|${exit}|${health}`;
}

/**
 * The cached view of one engine's containers, images, networks and volumes. All reads are synchronous; the
 * `refresh*` methods fetch from the engine and replace the corresponding part. Failures propagate (the client
 * already counted them against the engine's health).
 */
export class EngineCache {
  private readonly byId = new Map<string, CachedContainer>();
  private imageList: ImageSummary[] = [];
  private networkList: NetworkResource[] = [];
  private volumeList: VolumeResource[] = [];

  /**
   * @param skewMs engine clock minus manager clock in ms (§1.7.10); when non-zero, container times read from the
   * engine are shifted into the manager's clock so uptimes print right.
   */
  constructor(
    private readonly client: EngineClient,
    private readonly skewMs: () => number = () => 0,
  ) {}

  /** Every cached container (all states). */
  containers(): CachedContainer[] {
    return [...this.byId.values()];
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
    const list = await this.client.json<ContainerSummary[]>('GET', '/containers/json', undefined, {
      query: { all: 1 },
    });
    const seen = new Set<string>();
    await Promise.all(
      list.map(async (summary) => {
        seen.add(summary.Id);
        const old = this.byId.get(summary.Id);
        if (!full && old && changeKey(old.summary) === changeKey(summary)) {
          this.byId.set(summary.Id, { summary: this.deskewSummary(summary), info: old.info });
          return;
        }
        const info = await this.inspect(summary.Id);
        if (info)
          this.byId.set(summary.Id, { summary: this.deskewSummary(summary), info: this.deskewInfo(info) });
      }),
    );
    for (const id of [...this.byId.keys()]) if (!seen.has(id)) this.byId.delete(id);
  }

  /**
   * Re-reads one container (list entry + inspect). Removes it from the cache when the engine no longer knows it.
   * Returns the fresh entry, or undefined when it is gone.
   */
  async refreshContainer(id: string): Promise<CachedContainer | undefined> {
    const [list, info] = await Promise.all([
      this.client.json<ContainerSummary[]>('GET', '/containers/json', undefined, {
        query: { all: 1, filters: JSON.stringify({ id: [id] }) },
      }),
      this.inspect(id),
    ]);
    const summary = list.find((c) => c.Id === id || c.Id === info?.Id);
    if (!summary || !info) {
      this.byId.delete(id);
      if (info) this.byId.delete(info.Id);
      return undefined;
    }
    const entry = { summary: this.deskewSummary(summary), info: this.deskewInfo(info) };
    this.byId.set(summary.Id, entry);
    return entry;
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
    const names = name ? [`/${name}`] : [];
    this.byId.set(id, {
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
    });
  }

  /** Drops a container from the cache (after a `destroy` event or a remove through the manager). */
  removeContainer(id: string): void {
    this.byId.delete(id);
  }

  async refreshImages(): Promise<void> {
    this.imageList = await this.client.json<ImageSummary[]>('GET', '/images/json', undefined, {
      query: { all: 1 },
    });
  }

  async refreshNetworks(): Promise<void> {
    this.networkList = await this.client.json<NetworkResource[]>('GET', '/networks');
  }

  async refreshVolumes(): Promise<void> {
    const res = await this.client.json<{ Volumes?: VolumeResource[] | null }>('GET', '/volumes');
    this.volumeList = res.Volumes ?? [];
  }

  /** Adds a network to the cached view without asking the engine (a new global network seen elsewhere, §1.13). */
  addNetwork(net: NetworkResource): void {
    if (!this.networkList.some((n) => n.Id === net.Id)) this.networkList = [...this.networkList, net];
  }

  /** Refreshes containers, images, networks and volumes together. */
  async refreshAll(full = false): Promise<void> {
    await Promise.all([
      this.refreshContainers(full),
      this.refreshImages(),
      this.refreshNetworks(),
      this.refreshVolumes(),
    ]);
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
      return await this.client.json<ContainerInspect>('GET', `/containers/${encodeURIComponent(id)}/json`);
    } catch (err) {
      if (err instanceof EngineRequestError && err.status === 404) return undefined;
      throw err;
    }
  }
}
