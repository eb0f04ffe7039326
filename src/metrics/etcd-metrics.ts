import type { Counter, Histogram } from 'prom-client';
import type { MetricsRegistry } from './metrics-registry.js';

const ETCD_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * etcd v3 call latency and errors, by client (`discovery` or `election`). Implements the discovery layer's
 * `EtcdCallObserver` shape: pass `etcd.observer('discovery')` where an etcd client is made.
 */
export class EtcdMetrics {
  /** `shoal_etcd_request_duration_seconds{client}` (retries included). */
  readonly duration: Histogram<'client'>;
  /** `shoal_etcd_request_errors_total{client}`. */
  readonly errors: Counter<'client'>;

  constructor(reg: MetricsRegistry) {
    this.duration = reg.histogram({
      name: 'shoal_etcd_request_duration_seconds',
      help: 'Duration of etcd v3 calls (retries included), by client (discovery, election).',
      labelNames: ['client'],
      buckets: ETCD_BUCKETS,
    });
    this.errors = reg.counter({
      name: 'shoal_etcd_request_errors_total',
      help: 'etcd v3 calls that failed after their retries, by client (discovery, election).',
      labelNames: ['client'],
    });
  }

  /** An observer for one client: `observe(seconds, failed)` per finished call. */
  observer(client: string): { observe(seconds: number, failed: boolean): void } {
    this.errors.inc({ client }, 0);
    return {
      observe: (seconds, failed) => {
        this.duration.observe({ client }, seconds);
        if (failed) this.errors.inc({ client });
      },
    };
  }
}
