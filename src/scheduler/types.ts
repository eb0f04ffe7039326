/**
 * Plain data the scheduler works on. The cluster layer builds {@link NodeSnapshot}s from its engine cache (one
 * function, `snapshotOf(engine)`), the API layer builds a {@link PlacementRequest} from a create request, and the
 * scheduler returns a {@link Decision}. Nothing here does I/O.
 */

/** Engine health as the cluster tracks it (classic Swarm's node states). */
export type NodeState = 'pending' | 'healthy' | 'unhealthy' | 'disconnected' | 'maintenance';

/** A published or requested port binding, as in the Engine API's `HostConfig.PortBindings` / `Ports`. */
export interface PortBinding {
  /** Container port with protocol, e.g. `80/tcp`. */
  readonly containerPort: string;
  /** Host IP; empty, `0.0.0.0` or `::` mean all interfaces. */
  readonly hostIp: string;
  /** Host port as text; empty means "any" (dynamic). */
  readonly hostPort: string;
}

/** One container on a node, in any state (stopped and pending ones count, as in Swarm). */
export interface ContainerSnapshot {
  /** Full engine container ID. */
  readonly id: string;
  /** Names without leading `/` (first is the primary name). */
  readonly names: readonly string[];
  /** Image as given at create (`busybox`, `busybox:latest`). */
  readonly image: string;
  /** Image ID (`sha256:...`) when known. */
  readonly imageId: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `running`, `exited`, `created`, `paused`, `restarting`, `dead`, or `pending` for an in-flight create. */
  readonly state: string;
  /** Network mode (`bridge`, `host`, `container:<id>`, a network name). */
  readonly networkMode: string;
  /** Bindings requested at create (`HostConfig.PortBindings`); cover stopped containers. */
  readonly requestedPorts: readonly PortBinding[];
  /** Ports actually published now (covers dynamic `-p 80`). */
  readonly publishedPorts: readonly PortBinding[];
  /** Exposed port keys (`80/tcp`), for host-network port checks. */
  readonly exposedPorts: readonly string[];
  /** CPUs reserved, in CPUs (Swarm's CpuShares-as-CPU-count), may be fractional. */
  readonly cpus: number;
  /** Memory reserved, bytes. */
  readonly memory: number;
}

/** An image present on a node. */
export interface ImageSnapshot {
  readonly id: string;
  /** Full repo tags (`busybox:latest`). */
  readonly repoTags: readonly string[];
}

/** Everything the scheduler knows about one node. Readonly: snapshots are rebuilt, never mutated. */
export interface NodeSnapshot {
  /** Engine ID (from `/info`). */
  readonly id: string;
  /** Engine name (hostname). */
  readonly name: string;
  /** `host:port` the manager reaches it at. */
  readonly addr: string;
  /** IP part of `addr`. */
  readonly ip: string;
  /** Engine labels plus the built-ins (`storagedriver`, `kernelversion`, `operatingsystem`, `executiondriver`, `ostype`). */
  readonly labels: Readonly<Record<string, string>>;
  readonly state: NodeState;
  /** 0..100: 0 unless healthy; 100 − failures×100/retry. */
  readonly healthIndicator: number;
  /** Total CPUs including overcommit. */
  readonly totalCpus: number;
  /** Total memory in bytes including overcommit. */
  readonly totalMemory: number;
  /** Containers (all states) including pending reservations. */
  readonly containers: readonly ContainerSnapshot[];
  readonly images: readonly ImageSnapshot[];
}

/** One `key OP value` expression (constraint, affinity, whitelist). */
export interface Expression {
  readonly key: string;
  readonly op: '==' | '!=';
  /** Value without the soft marker. */
  readonly value: string;
  /** `~` soft rule: enforced in the first pass only. */
  readonly soft: boolean;
  /** The original text, for messages (`region==~eu*`). */
  readonly text: string;
  /**
   * Compiled matcher set by `parseExpression`: the anchored glob or the `/regex/` (a `RegExp`, or a faster
   * equivalent for plain literals and `prefix*` globs); `null` when the regex does not compile (then nothing
   * matches). Absent on hand-built expressions, which `matchesAny` compiles on use.
   */
  readonly pattern?: Matcher | null;
}

/** A compiled expression value. `RegExp` is one; `literal` is set when the value matches only itself. */
export interface Matcher {
  test(value: string): boolean;
  /** Set when the matcher is plain string equality with this text (lets filters use set lookups). */
  readonly literal?: string;
}

/** What a container create asks of the scheduler. */
export interface PlacementRequest {
  /** Requested container name, if any (without leading `/`). */
  readonly name?: string;
  readonly image: string;
  /** CPUs requested (Swarm's CpuShares as CPU count). 0 = none. */
  readonly cpus: number;
  /** Memory requested in bytes. 0 = none. */
  readonly memory: number;
  readonly networkMode: string;
  readonly portBindings: readonly PortBinding[];
  readonly exposedPorts: readonly string[];
  readonly constraints: readonly Expression[];
  readonly affinities: readonly Expression[];
  readonly whitelists: readonly Expression[];
  /** Containers named by `--volumes-from`, `--link`, `--net=container:`. */
  readonly dependencies: {
    readonly volumesFrom: readonly string[];
    readonly links: readonly string[];
    readonly netContainer?: string;
  };
  /** Labels the container will carry. */
  readonly labels: Readonly<Record<string, string>>;
}

/** A filter's answer for one node: pass, or a reason to reject it. "Does not fit" is data, not an exception. */
export type Verdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** One scheduling filter: stateless and pure, checks one node at a time. */
export interface Filter {
  /** Wire name as `docker info` prints it (`health`, `port`, ...). */
  readonly name: string;
  /** `soft` is true in pass 1 (soft expressions enforced), false in pass 2. */
  check(req: PlacementRequest, node: NodeSnapshot, opts: { readonly soft: boolean }): Verdict;
  /** What this filter was asked for, for the "unable to find a node" message (`port 80 (Bridge mode)`). */
  describe(req: PlacementRequest, opts: { readonly soft: boolean }): string;
  /**
   * Optional: what this filter was asked for in Swarm's "following conditions" form, when it differs from
   * {@link describe} (constraints, affinities and whitelists add ` (soft=BOOL)` to each expression, as Swarm did).
   */
  condition?(req: PlacementRequest, opts: { readonly soft: boolean }): string;
  /**
   * Optional shortcut: `false` when this request gives the filter nothing to check in this pass, so every node
   * would pass and the scheduler may skip the per-node loop. Absent = always run.
   */
  needed?(req: PlacementRequest, opts: { readonly soft: boolean }): boolean;
}

/** A node with its strategy score, best first. */
export interface RankedNode {
  readonly node: NodeSnapshot;
  /** Strategy-specific weight (lower is better for spread, higher for binpack); components are 0..100 each. */
  readonly score: number;
  /** Human-readable scoring components, e.g. `{ cpu: 40, memory: 20, health: -1000 }`. */
  readonly components: Readonly<Record<string, number>>;
}

/** A placement strategy: ranks the nodes that passed the filters. */
export interface Strategy {
  /** Wire name (`spread`, `binpack`, `random`). */
  readonly name: string;
  /**
   * Ranks `nodes` best first. With `limit`, only the best `limit` nodes are returned (same order as a full ranking
   * would give them); the scheduler uses it so a decision at 1,000 nodes does not sort and describe every node.
   * An empty result means no node can take the request.
   */
  rank(req: PlacementRequest, nodes: readonly NodeSnapshot[], limit?: number): RankedNode[];
}

/** Why one node was rejected, by which filter, in which pass. */
export interface Rejection {
  readonly node: string;
  readonly filter: string;
  readonly reason: string;
}

/** The scheduler's answer: a chosen node with its reasons, or "nothing fits" as data. */
export type Decision =
  | {
      readonly ok: true;
      readonly node: NodeSnapshot;
      /**
       * The best candidates with their scores, best first (up to the scheduler's `rankingLimit`, default 10), so
       * `explain` and the dashboard can show why the first one won.
       */
      readonly ranking: readonly RankedNode[];
      /** 1 or 2 (2 = soft rules were dropped). */
      readonly pass: 1 | 2;
      /** Nodes the filters removed in the winning pass, with reasons (for `explain`). */
      readonly rejections: readonly Rejection[];
      /**
       * One line over every node given: `2/3 nodes are available`, or `0/3 nodes are available: 2 rejected by
       * constraint node==x, 1 unhealthy.` (pending and disconnected nodes count as unhealthy).
       */
      readonly summary: string;
    }
  | {
      readonly ok: false;
      /** Swarm-compatible message ("Unable to find a node that satisfies the following conditions ..."). */
      readonly message: string;
      readonly rejections: readonly Rejection[];
      /**
       * One line over every node given: `2/3 nodes are available`, or `0/3 nodes are available: 2 rejected by
       * constraint node==x, 1 unhealthy.` (pending and disconnected nodes count as unhealthy).
       */
      readonly summary: string;
    };
