import type { CachedContainer, Cluster, Engine } from '../cluster/index.js';
import { reservedCpus, withOvercommit } from '../cluster/index.js';
import type { CreateBody, PlacementExplanation } from '../scheduler/index.js';
import type {
  ApiCluster,
  ApiContainer,
  ApiEvent,
  ApiNode,
  ApiSchedulerInfo,
  EngineContainerSummary,
} from './cluster-port.js';

/** An {@link ApiNode} view over a cluster {@link Engine} (live getters; one per engine). */
class EngineNode implements ApiNode {
  constructor(
    readonly engine: Engine,
    private readonly overcommit: number,
    private readonly availabilityOf: ((engineId: string) => string) | undefined,
  ) {}
  get availability() {
    return this.availabilityOf && this.engine.id ? this.availabilityOf(this.engine.id) : undefined;
  }
  get id() {
    return this.engine.id;
  }
  get name() {
    return this.engine.name;
  }
  get addr() {
    return this.engine.addr;
  }
  get ip() {
    return this.engine.ip;
  }
  get state() {
    return this.engine.state;
  }
  get error() {
    return this.engine.lastError;
  }
  get updatedAt() {
    return this.engine.updatedAt;
  }
  get serverVersion() {
    return this.engine.serverVersion;
  }
  get totalCpus() {
    return withOvercommit(this.engine.cpus, this.overcommit);
  }
  get totalMemory() {
    return withOvercommit(this.engine.memory, this.overcommit);
  }
  /** CPUs reserved, in CPUs: the engine's CpuShares converted back as Swarm did (`shares*engineCPUs/1024`). */
  get usedCpus() {
    return reservedCpus(this.engine);
  }
  get usedMemory() {
    return this.engine.cache.stats().memory;
  }
  /** The cache's memoised totals (a new object only after the cached containers changed). */
  get counts() {
    return this.engine.cache.stats();
  }
  get labels() {
    return this.engine.labels;
  }
  get client() {
    return this.engine.client;
  }
  get inspects() {
    return this.engine.inspects;
  }
}

/**
 * Presents a `src/cluster` {@link Cluster} as the API's {@link ApiCluster}. Thin: every answer comes from the
 * cluster's cache and engines. Creates, builds, searches, auth and plain-name network creates go through the
 * cluster's one placement step (docs/behaviour/scheduling.md#pipeline).
 */
export class ClusterAdapter implements ApiCluster {
  private readonly views = new WeakMap<Engine, EngineNode>();
  private containersMemo: { from: readonly unknown[]; list: readonly ApiContainer[] } | undefined;
  private readonly containerViews = new WeakMap<CachedContainer, ApiContainer & { node: EngineNode }>();

  constructor(
    private readonly cluster: Cluster,
    private readonly sched: ApiSchedulerInfo,
    /** The node availability `docker info` shows (the rescheduler's); none when omitted. */
    private readonly availabilityOf?: (engineId: string) => string,
    /** Explanations kept with the containers' records (the rescheduler's), for placements made elsewhere. */
    private readonly recordedPlacement?: (containerId: string) => PlacementExplanation | undefined,
  ) {}

  private view(e: Engine): EngineNode {
    let v = this.views.get(e);
    if (!v) {
      v = new EngineNode(e, this.cluster.overcommit, this.availabilityOf);
      this.views.set(e, v);
    }
    return v;
  }

  nodes(): readonly ApiNode[] {
    return this.cluster.engines().map((e) => this.view(e));
  }

  containers(): readonly ApiContainer[] {
    // The cluster returns the same array until a container list changes; map it once per change.
    const from = this.cluster.containers();
    if (this.containersMemo?.from === from) return this.containersMemo.list;
    // Entries are replaced, not changed, when a container is re-read: one view per entry, made once.
    const list = from.map(({ node, container }) => {
      let v = this.containerViews.get(container);
      if (v?.node.engine !== node) {
        v = {
          node: this.view(node),
          id: container.summary.Id,
          summary: container.summary as unknown as EngineContainerSummary,
          created: container.info.Created,
        };
        this.containerViews.set(container, v);
      }
      return v;
    });
    this.containersMemo = { from, list };
    return list;
  }

  container(ref: string): ApiContainer | undefined {
    const found = this.cluster.findContainer(ref);
    if (!found) return undefined;
    return {
      node: this.view(found.node),
      id: found.container.summary.Id,
      summary: found.container.summary as unknown as EngineContainerSummary,
      created: found.container.info.Created,
    };
  }

  async createContainer(body: CreateBody, name: string, auth: string | undefined) {
    const r = await this.cluster.placement.createContainer(body, name || undefined, {
      ...(auth ? { registryAuth: auth } : {}),
    });
    return { Id: r.Id, Warnings: r.Warnings, node: this.view(r.node), timing: r.timing };
  }

  async refreshContainer(node: ApiNode, id: string): Promise<void> {
    await this.engineOf(node).cache.refreshContainer(id);
  }

  async refreshNode(node: ApiNode, what: 'containers' | 'images' | 'networks' | 'volumes'): Promise<void> {
    const cache = this.engineOf(node).cache;
    if (what === 'containers') await cache.refreshContainers();
    else if (what === 'images') await cache.refreshImages();
    else if (what === 'networks') await cache.refreshNetworks();
    else await cache.refreshVolumes();
  }

  async place<T>(constraints: readonly string[], work: (node: ApiNode) => Promise<T>): Promise<T> {
    const placement = this.cluster.placement;
    const request = placement.requestFromEnv(constraints.map((c) => `constraint:${c}`));
    const placed = await placement.place(request, { run: (e) => work(this.view(e)) }, { reserve: false });
    return placed.value;
  }

  placementOf(id: string): PlacementExplanation | undefined {
    return this.cluster.placement.explanationOf(id) ?? this.recordedPlacement?.(id);
  }

  plan(body: CreateBody): PlacementExplanation {
    return this.cluster.placement.plan(body);
  }

  subscribe(listener: (event: ApiEvent) => void): () => void {
    return this.cluster.events.subscribe((ev) =>
      listener({ raw: ev.message as unknown as Record<string, unknown> }),
    );
  }

  imageCount(): number {
    let n = 0;
    for (const e of this.cluster.activeEngines()) n += e.cache.images().length;
    return n;
  }

  scheduler(): ApiSchedulerInfo {
    return this.sched;
  }

  private engineOf(node: ApiNode): Engine {
    return node instanceof EngineNode ? node.engine : this.cluster.engine(node.addr);
  }
}
