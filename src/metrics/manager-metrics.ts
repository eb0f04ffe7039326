import type { Counter, Histogram } from 'prom-client';
import type { MetricsRegistry } from './metrics-registry.js';

/** One node as the node gauges count it. */
export interface NodeCount {
  /** `pending`, `healthy`, `unhealthy` or `disconnected`. */
  readonly state: string;
  /** `active`, `pause` or `drain`. */
  readonly availability: string;
}

/** What the manager's scrape-time gauges read. Each is called once per scrape. */
export interface ManagerSources {
  /** `primary` or `replica`. */
  role(): 'primary' | 'replica';
  /** Every node known from discovery. */
  nodes(): Iterable<NodeCount>;
  /** The engine's `State` of every container (`running`, `exited`, `created`, ...). */
  containerStates(): Iterable<string>;
  /** How many containers wait to be moved (no node fits yet, or the last attempt failed). */
  pendingReschedules?(): number;
}

const ROLES = ['primary', 'replica'] as const;
const NODE_STATES = ['pending', 'healthy', 'unhealthy', 'disconnected'] as const;
/** Short steps: a decision over 1,000 nodes takes about a millisecond. */
const STEP_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
/** API calls: pings to long pulls. */
const API_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** One move: a create (with a pull at worst), a start, and etcd writes. */
const MOVE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
const RESCHEDULE_TRIGGERS = ['node_failure', 'drain'] as const;
const RESCHEDULE_RESULTS = ['moved', 'no_node', 'failed', 'lost'] as const;
/** Failovers last about one replication TTL (3 s in `shoal up`, 20 s by Swarm's default). */
const FAILOVER_BUCKETS = [0.5, 1, 2, 3, 4, 5, 7.5, 10, 15, 20, 30, 60];

/**
 * The metrics of one `shoal manage` process (primary or replica), registered on the given registry. Counters and
 * histograms are updated by the parts that see the event (see the `observe*` methods); node, container and role
 * gauges are computed from {@link ManagerSources} at scrape time, so they are never stale.
 */
export class ManagerMetrics {
  /** `shoal_manager_leader_changes_total`: a new primary was seen. */
  readonly leaderChanges: Counter;
  /** `shoal_manager_failover_duration_seconds`: from the leader key's loss to the next primary. */
  readonly failoverDuration: Histogram;
  /** `shoal_scheduling_decisions_total{result}`: `placed` or `no_node`. */
  readonly decisions: Counter<'result'>;
  /** `shoal_scheduling_duration_seconds`: one scheduling step (filters and strategy). */
  readonly schedulingDuration: Histogram;
  /** `shoal_placement_failures_total{filter}`: failed decisions, once per filter that rejected a node. */
  readonly placementFailures: Counter<'filter'>;
  /** `shoal_engine_refresh_errors_total`: failed periodic engine refreshes. */
  readonly refreshErrors: Counter;
  /** `shoal_api_requests_total{method,route,status}`. */
  readonly apiRequests: Counter<'method' | 'route' | 'status'>;
  /** `shoal_api_request_duration_seconds{method,route}`: until the answer is complete. */
  readonly apiDuration: Histogram<'method' | 'route'>;
  /** `shoal_reschedules_total{trigger,result}`: attempts to move a container (node failure or drain). */
  readonly reschedules: Counter<'trigger' | 'result'>;
  /** `shoal_reschedule_duration_seconds{trigger}`: successful moves, from the claim to the new record. */
  readonly rescheduleDuration: Histogram<'trigger'>;
  /** `shoal_reschedule_duplicates_removed_total`: copies removed because their container runs elsewhere. */
  readonly duplicatesRemoved: Counter;

  constructor(reg: MetricsRegistry, sources: ManagerSources) {
    reg.gauge({
      name: 'shoal_manager_role',
      help: 'The manager role: 1 for the role this manager has (primary or replica), 0 for the other.',
      labelNames: ['role'],
      collect() {
        const now = sources.role();
        for (const r of ROLES) this.set({ role: r }, r === now ? 1 : 0);
      },
    });
    this.leaderChanges = reg.counter({
      name: 'shoal_manager_leader_changes_total',
      help: 'Times a new primary manager was seen.',
    });
    this.failoverDuration = reg.histogram({
      name: 'shoal_manager_failover_duration_seconds',
      help: 'Time from the loss of the leader key to the next elected primary.',
      buckets: FAILOVER_BUCKETS,
    });
    reg.gauge({
      name: 'shoal_nodes',
      help: 'Nodes known from discovery, by state and availability.',
      labelNames: ['state', 'availability'],
      collect() {
        this.reset();
        for (const s of NODE_STATES) this.set({ state: s, availability: 'active' }, 0);
        const counts = new Map<string, { state: string; availability: string; n: number }>();
        for (const n of sources.nodes()) {
          const k = `${n.state}\0${n.availability}`;
          const c = counts.get(k) ?? { state: n.state, availability: n.availability, n: 0 };
          c.n++;
          counts.set(k, c);
        }
        for (const c of counts.values()) this.set({ state: c.state, availability: c.availability }, c.n);
      },
    });
    reg.gauge({
      name: 'shoal_containers',
      help: 'Containers on the nodes, by state.',
      labelNames: ['state'],
      collect() {
        this.reset();
        const counts = new Map<string, number>([
          ['running', 0],
          ['exited', 0],
        ]);
        for (const s of sources.containerStates()) counts.set(s || 'unknown', (counts.get(s) ?? 0) + 1);
        for (const [state, n] of counts) this.set({ state }, n);
      },
    });
    this.decisions = reg.counter({
      name: 'shoal_scheduling_decisions_total',
      help: 'Scheduling decisions, by result (placed, no_node).',
      labelNames: ['result'],
    });
    this.schedulingDuration = reg.histogram({
      name: 'shoal_scheduling_duration_seconds',
      help: 'Duration of one scheduling step (filters and strategy over the node snapshots).',
      buckets: STEP_BUCKETS,
    });
    this.placementFailures = reg.counter({
      name: 'shoal_placement_failures_total',
      help: 'Failed placements, counted once per filter that rejected at least one node.',
      labelNames: ['filter'],
    });
    this.refreshErrors = reg.counter({
      name: 'shoal_engine_refresh_errors_total',
      help: 'Periodic engine refreshes that failed.',
    });
    this.apiRequests = reg.counter({
      name: 'shoal_api_requests_total',
      help: 'API requests, by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
    });
    this.apiDuration = reg.histogram({
      name: 'shoal_api_request_duration_seconds',
      help: 'API request duration until the answer is complete, by method and route template.',
      labelNames: ['method', 'route'],
      buckets: API_BUCKETS,
    });
    for (const result of ['placed', 'no_node']) this.decisions.inc({ result }, 0);
    this.reschedules = reg.counter({
      name: 'shoal_reschedules_total',
      help: 'Attempts to move a container off a failed or draining node, by trigger (node_failure, drain) and result (moved, no_node, failed, lost).',
      labelNames: ['trigger', 'result'],
    });
    for (const trigger of RESCHEDULE_TRIGGERS)
      for (const result of RESCHEDULE_RESULTS) this.reschedules.inc({ trigger, result }, 0);
    this.rescheduleDuration = reg.histogram({
      name: 'shoal_reschedule_duration_seconds',
      help: 'Duration of a successful move of a container to another node (create, start, record), by trigger.',
      labelNames: ['trigger'],
      buckets: MOVE_BUCKETS,
    });
    this.duplicatesRemoved = reg.counter({
      name: 'shoal_reschedule_duplicates_removed_total',
      help: 'Copies of a rescheduled container removed from a node that came back.',
    });
    reg.gauge({
      name: 'shoal_reschedules_pending',
      help: 'Containers waiting to be moved (no node fits yet, or the last attempt failed).',
      collect() {
        this.set(sources.pendingReschedules?.() ?? 0);
      },
    });
  }

  /** Records one ended attempt to move a container; only a move counts towards the duration. */
  observeReschedule(trigger: string, result: string, seconds: number): void {
    this.reschedules.inc({ trigger, result });
    if (result === 'moved') this.rescheduleDuration.observe({ trigger }, seconds);
  }

  /** Records one scheduling step: its result, duration and the filters that rejected nodes when none fitted. */
  observeDecision(ok: boolean, seconds: number, rejectingFilters: Iterable<string>): void {
    this.decisions.inc({ result: ok ? 'placed' : 'no_node' });
    this.schedulingDuration.observe(seconds);
    if (ok) return;
    for (const filter of new Set(rejectingFilters)) this.placementFailures.inc({ filter });
  }

  /** Records one finished API request. `route` must be a route template, never a raw path. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.apiRequests.inc({ method, route, status: String(status) });
    this.apiDuration.observe({ method, route }, seconds);
  }
}
