import {
  Counter,
  type CounterConfiguration,
  collectDefaultMetrics,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  Registry,
} from 'prom-client';
import { InvalidArgumentError } from '../util/errors.js';

/** Every metric shoal exports starts with this. */
export const METRIC_PREFIX = 'shoal_';

const NAME = /^shoal_[a-z][a-z0-9_]*[a-z0-9]$/;
const LABEL = /^[a-z][a-z0-9_]*$/;
/** Units a histogram's name must end with (Prometheus naming: base units, plural). */
const HISTOGRAM_UNITS = ['_seconds', '_bytes'];

/**
 * Checks a metric name against Prometheus naming rules and shoal's: the `shoal_` prefix, snake case, counters end
 * in `_total`, histograms in their base unit (`_seconds`, `_bytes`), gauges in neither `_total` nor a bucket suffix.
 * @throws InvalidArgumentError naming the rule that was broken.
 */
export function checkMetricName(
  kind: 'counter' | 'gauge' | 'histogram',
  name: string,
  labelNames: readonly string[] = [],
): void {
  if (!NAME.test(name))
    throw new InvalidArgumentError(`metric name ${name} must be snake case starting with ${METRIC_PREFIX}`);
  if (kind === 'counter' && !name.endsWith('_total'))
    throw new InvalidArgumentError(`counter ${name} must end with _total`);
  if (kind !== 'counter' && name.endsWith('_total'))
    throw new InvalidArgumentError(`${kind} ${name} must not end with _total`);
  if (kind === 'histogram' && !HISTOGRAM_UNITS.some((u) => name.endsWith(u)))
    throw new InvalidArgumentError(
      `histogram ${name} must end with its unit (${HISTOGRAM_UNITS.join(', ')})`,
    );
  for (const l of labelNames) {
    if (!LABEL.test(l) || l.startsWith('__'))
      throw new InvalidArgumentError(`metric ${name}: label ${l} must be snake case`);
  }
}

/** Options of {@link MetricsRegistry}. */
export interface MetricsRegistryOptions {
  /** Adds prom-client's process and Node.js metrics, prefixed `shoal_` (default true). */
  readonly processMetrics?: boolean;
}

/**
 * One process's metrics: a prom-client registry that every layer adds its instruments to through
 * {@link counter}, {@link gauge} and {@link histogram}, which check names and labels. There is no global registry:
 * a process makes one and hands it to whatever exports metrics (`new ManagerMetrics(registry)`), so tests and
 * several managers in one process never share counters. Registering the same name twice throws.
 */
export class MetricsRegistry {
  readonly registry = new Registry();

  constructor(opts: MetricsRegistryOptions = {}) {
    if (opts.processMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
  }

  /** A counter (name ends in `_total`). */
  counter<L extends string = never>(cfg: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
    checkMetricName('counter', cfg.name, cfg.labelNames);
    return new Counter<L>({ ...cfg, registers: [this.registry] });
  }

  /** A gauge; give `collect` to compute it at scrape time. */
  gauge<L extends string = never>(cfg: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
    checkMetricName('gauge', cfg.name, cfg.labelNames);
    return new Gauge<L>({ ...cfg, registers: [this.registry] });
  }

  /** A histogram (name ends in its unit, e.g. `_seconds`). */
  histogram<L extends string = never>(cfg: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
    checkMetricName('histogram', cfg.name, cfg.labelNames);
    return new Histogram<L>({ ...cfg, registers: [this.registry] });
  }

  /** The exposition text of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** The exposition format's content type. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
