import type { DriverFactory } from '../driver.js';
import { UnknownDriverError } from '../errors.js';
import { genericDriverFactory } from './generic/index.js';
import { netnsDriverFactory } from './netns/index.js';
import { noneDriverFactory } from './none/index.js';

/** Name → factory map of the drivers `shoal machine create -d NAME` accepts. */
export type DriverRegistry = ReadonlyMap<string, DriverFactory>;

/** The built-in drivers. The `fake` driver is for unit tests and is not listed here. */
export function defaultDriverRegistry(): DriverRegistry {
  const factories: DriverFactory[] = [genericDriverFactory, netnsDriverFactory, noneDriverFactory];
  return new Map(factories.map((f) => [f.config.name, f]));
}

/** The factory for `name`; throws {@link UnknownDriverError} listing the valid names. */
export function lookupDriver(registry: DriverRegistry, name: string): DriverFactory {
  const f = registry.get(name);
  if (!f) throw new UnknownDriverError(name, [...registry.keys()].sort());
  return f;
}
