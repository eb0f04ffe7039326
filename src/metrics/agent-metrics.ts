import type { Counter } from 'prom-client';
import type { MetricsRegistry } from './metrics-registry.js';

/** The metrics of one `shoal join` agent. */
export class AgentMetrics {
  /** `shoal_agent_heartbeats_total`: registrations sent (successful or not). */
  readonly heartbeats: Counter;
  /** `shoal_agent_heartbeat_failures_total`: registrations that failed. */
  readonly heartbeatFailures: Counter;

  constructor(reg: MetricsRegistry) {
    this.heartbeats = reg.counter({
      name: 'shoal_agent_heartbeats_total',
      help: 'Registrations of the engine address in discovery, successful or not.',
    });
    this.heartbeatFailures = reg.counter({
      name: 'shoal_agent_heartbeat_failures_total',
      help: 'Registrations of the engine address in discovery that failed.',
    });
  }
}
