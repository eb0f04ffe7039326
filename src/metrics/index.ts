export { AgentMetrics } from './agent-metrics.js';
export { EtcdMetrics } from './etcd-metrics.js';
export { ManagerMetrics, type ManagerSources, type NodeCount } from './manager-metrics.js';
export {
  checkMetricName,
  METRIC_PREFIX,
  MetricsRegistry,
  type MetricsRegistryOptions,
} from './metrics-registry.js';
export {
  isMetricsRequest,
  METRICS_PATH,
  parseMetricsAddr,
  serveMetrics,
  startMetricsServer,
} from './metrics-server.js';
