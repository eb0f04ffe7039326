import type {
  ApiCluster,
  ApiContainer,
  ApiNode,
  ContainerCounts,
  EngineContainerSummary,
} from '../api/cluster-port.js';
import type { ApiDeps } from '../api/context.js';
import { ExecLocations } from '../api/exec-locations.js';
import { InspectCache } from '../cluster/index.js';
import type { EngineClient } from '../engine/index.js';
import { systemClock } from '../util/clock.js';

/** Builds an {@link ApiNode} for unit tests (no engine behind it: `client` throws if used). */
export function fakeNode(over: Partial<ApiNode> & { name: string }): ApiNode {
  return {
    id: `${over.name.toUpperCase()}:ID`,
    addr: '10.0.0.1:2376',
    ip: '10.0.0.1',
    state: 'healthy',
    error: '',
    updatedAt: Date.UTC(2026, 0, 2, 3, 4, 5),
    serverVersion: '20.10.24',
    totalCpus: 2,
    totalMemory: 2 * 1024 ** 3,
    usedCpus: 0,
    usedMemory: 0,
    counts: { total: 0, running: 0, paused: 0, stopped: 0 },
    labels: { storagedriver: 'overlay2' },
    client: undefined as unknown as EngineClient,
    inspects: new InspectCache(systemClock),
    ...over,
  };
}

/** Builds a cached container summary for unit tests. */
export function fakeContainer(
  node: ApiNode,
  over: Partial<EngineContainerSummary> & { Id: string },
): ApiContainer {
  const summary: EngineContainerSummary = {
    Names: [`/${over.Id.slice(0, 4)}`],
    Image: 'bb',
    Created: 1000,
    State: 'running',
    Status: 'Up 2 minutes',
    Labels: {},
    Ports: [],
    ...over,
  };
  return { node, id: over.Id, summary };
}

/** Counts `node`'s containers in `containers` by state, as the cluster's cache does. */
function countsOf(node: ApiNode, containers: readonly ApiContainer[]): ContainerCounts {
  const k = { total: 0, running: 0, paused: 0, stopped: 0 };
  for (const c of containers) {
    if (c.node !== node) continue;
    k.total++;
    if (c.summary.State === 'running' || c.summary.State === 'restarting') k.running++;
    else if (c.summary.State === 'paused') k.paused++;
    else k.stopped++;
  }
  return k;
}

/**
 * A read-only {@link ApiCluster} over fixed nodes and containers, for unit tests of pure API logic. Each node's
 * `counts` is set from `containers`.
 */
export function fakeCluster(nodes: ApiNode[], containers: ApiContainer[] = []): ApiCluster {
  for (const n of nodes) Object.assign(n, { counts: countsOf(n, containers) });
  return {
    nodes: () => nodes,
    containers: () => containers,
    container: (ref) => containers.find((c) => c.id.startsWith(ref) || c.summary.Names.includes(`/${ref}`)),
    createContainer: () => Promise.reject(new Error('not in a fake')),
    refreshContainer: () => Promise.resolve(),
    refreshNode: () => Promise.resolve(),
    place: (_constraints, work) => work(nodes[0] as ApiNode),
    placementOf: () => undefined,
    plan: () => {
      throw new Error('not in a fake');
    },
    subscribe: () => () => undefined,
    imageCount: () => 3,
    scheduler: () => ({ strategy: 'spread', filters: ['health', 'port'] }),
  };
}

/** Route dependencies over `cluster` for unit tests: no node control, no exec instances, no manager details. */
export function fakeDeps(cluster: ApiCluster): ApiDeps {
  return { cluster, execs: new ExecLocations(), manager: {} as ApiDeps['manager'] };
}
