import type { EngineInfo } from './engine-types.js';
import { EngineValidationError } from './errors.js';

/** Result of {@link engineLabels}: the labels the scheduler sees plus warnings for ignored ones. */
export interface EngineLabels {
  readonly labels: Record<string, string>;
  readonly warnings: string[];
}

/**
 * Node labels as classic Swarm derives them from `/info` (docs/behaviour/nodes.md#labels): the built-ins
 * `storagedriver`, `kernelversion`, `operatingsystem`, `ostype` and (when the engine reports one)
 * `executiondriver`, plus every daemon `--label k=v`. A daemon label named `node` is ignored with a warning,
 * a daemon label cannot override a built-in one (warning), and a label without `=` throws {@link
 * EngineValidationError}.
 */
export function engineLabels(info: EngineInfo): EngineLabels {
  const labels: Record<string, string> = {};
  const warnings: string[] = [];
  if (info.Driver) labels.storagedriver = info.Driver;
  if (info.KernelVersion) labels.kernelversion = info.KernelVersion;
  if (info.OperatingSystem) labels.operatingsystem = info.OperatingSystem;
  if (info.OSType) labels.ostype = info.OSType;
  if (info.ExecutionDriver && info.ExecutionDriver !== '<not supported>')
    labels.executiondriver = info.ExecutionDriver;
  const builtIn = new Set(Object.keys(labels));
  for (const raw of info.Labels ?? []) {
    const eq = raw.indexOf('=');
    if (eq < 0) throw new EngineValidationError(`Unable to parse label "${raw}": labels must be key=value`);
    const key = raw.slice(0, eq);
    const value = raw.slice(eq + 1);
    if (key === 'node') {
      warnings.push(`Engine label "node" is reserved and ignored (value "${value}")`);
      continue;
    }
    if (builtIn.has(key)) {
      warnings.push(`Engine label "${key}" cannot override the built-in label; ignored`);
      continue;
    }
    labels[key] = value;
  }
  return { labels, warnings };
}
