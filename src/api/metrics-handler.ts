import type { ManagerMetrics, MetricsRegistry } from '../metrics/index.js';
import { isMetricsRequest, serveMetrics } from '../metrics/index.js';
import type { ApiHandler } from './server.js';

/**
 * Wraps the manager's outermost handler (the replica forwarder included): `GET /metrics` is answered by this
 * manager itself, on a replica too, and every request is counted by method, route template and status, with its
 * duration until the response closes. Upgraded connections (`attach`, `exec` with `Upgrade`) count as status 101
 * when the upgrade arrives.
 */
export function instrumentApi(
  inner: ApiHandler,
  opts: {
    readonly registry: MetricsRegistry;
    readonly metrics: ManagerMetrics;
    /** The route template for a request (`ApiRouter.template`). */
    readonly routeOf: (method: string, url: string) => string;
  },
): ApiHandler {
  return {
    onRequest(req, res) {
      const start = performance.now();
      const method = req.method ?? 'GET';
      res.once('close', () => {
        const route = isMetricsRequest(method, req.url) ? '/metrics' : opts.routeOf(method, req.url ?? '/');
        opts.metrics.observeRequest(method, route, res.statusCode, (performance.now() - start) / 1000);
      });
      if (isMetricsRequest(method, req.url)) {
        serveMetrics(opts.registry, req, res);
        return;
      }
      inner.onRequest(req, res);
    },
    onUpgrade(req, socket, head) {
      const method = req.method ?? 'GET';
      opts.metrics.observeRequest(method, opts.routeOf(method, req.url ?? '/'), 101, 0);
      inner.onUpgrade(req, socket, head);
    },
  };
}
