import { InvalidArgumentError } from '../../util/errors.js';
import { InvalidFilterTypeError } from '../errors.js';
import { type FilterArgs, nodeScope, without } from './filter-args.js';

/** Filter keys of `GET /networks`: the engine's (dockerd 20.10) plus Swarm's `node`. */
export const NETWORK_FILTER_KEYS: ReadonlySet<string> = new Set([
  'driver',
  'id',
  'label',
  'name',
  'scope',
  'type',
  'dangling',
  'node',
]);

const BOOLS = new Set(['true', '1', 'false', '0']);

/** A network list request split between the manager and the engines. */
export interface NetworkListPlan {
  /** Nodes asked for by `node` or by a node-prefixed `name` (names or IDs); undefined = every healthy node. */
  readonly nodes: readonly string[] | undefined;
  /** Filters every engine applies itself, node prefixes taken off `name` values. */
  readonly forward: FilterArgs;
}

/**
 * Checks network list filters and splits them. `splitNode` takes a known node prefix off a name (`n1/web`).
 * @throws InvalidArgumentError (400): an unknown key (`Invalid filter 'x'`, the engine's text), a bad `type`
 *   ({@link InvalidFilterTypeError}, Swarm's `Invalid filter: 'type'='x'`; the engine says the same in lower case
 *   with a 500) or a bad `dangling` (the engine's text).
 */
export function planNetworkList(
  filters: FilterArgs,
  splitNode: (ref: string) => { node?: string; name: string } = (name) => ({ name }),
): NetworkListPlan {
  for (const k of filters.keys()) {
    if (!NETWORK_FILTER_KEYS.has(k)) throw new InvalidArgumentError(`Invalid filter '${k}'`);
  }
  for (const t of filters.get('type') ?? []) {
    if (t !== 'custom' && t !== 'builtin') throw new InvalidFilterTypeError(t);
  }
  const dangling = filters.get('dangling') ?? [];
  if (
    filters.has('dangling') &&
    (dangling.length !== 1 || !BOOLS.has((dangling[0] as string).toLowerCase()))
  ) {
    throw new InvalidArgumentError(
      `invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`,
    );
  }
  let nodes = nodeScope(filters);
  const forward = without(filters, 'node');
  const names = filters.get('name');
  if (names) {
    const split = names.map(splitNode);
    const prefixed = split.filter((s) => s.node !== undefined).map((s) => s.node as string);
    if (prefixed.length > 0) nodes = nodes ? nodes.filter((n) => prefixed.includes(n)) : prefixed;
    forward.set(
      'name',
      split.map((s) => s.name),
    );
  }
  return { nodes, forward };
}
