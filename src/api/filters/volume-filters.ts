import { InvalidArgumentError } from '../../util/errors.js';
import { type FilterArgs, goList, nodeScope, without } from './filter-args.js';

/** Filter keys of `GET /volumes`: the engine's (dockerd 20.10) plus Swarm's `node`. */
export const VOLUME_FILTER_KEYS: ReadonlySet<string> = new Set([
  'dangling',
  'driver',
  'label',
  'name',
  'node',
]);

const BOOLS = new Set(['true', '1', 'false', '0']);

/** A volume list request split between the manager and the engines. */
export interface VolumeListPlan {
  /** Nodes asked for by `node` or by a node-prefixed `name`; undefined = every healthy node. */
  readonly nodes: readonly string[] | undefined;
  /** Filters every engine applies itself, node prefixes taken off `name` values. */
  readonly forward: FilterArgs;
}

/**
 * Checks volume list filters as dockerd 20.10 does and splits them.
 * @throws InvalidArgumentError (400) with the engine's text: `Invalid filter 'x'`, `Invalid filter 'dangling=[x]'`.
 */
export function planVolumeList(
  filters: FilterArgs,
  splitNode: (ref: string) => { node?: string; name: string } = (name) => ({ name }),
): VolumeListPlan {
  for (const k of filters.keys()) {
    if (!VOLUME_FILTER_KEYS.has(k)) throw new InvalidArgumentError(`Invalid filter '${k}'`);
  }
  const dangling = filters.get('dangling') ?? [];
  if (filters.has('dangling') && !dangling.every((d) => BOOLS.has(d.toLowerCase()))) {
    throw new InvalidArgumentError(`Invalid filter 'dangling=${goList(dangling)}'`);
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
