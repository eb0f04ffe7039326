import { InvalidArgumentError } from '../../util/errors.js';
import { InvalidFilterTypeError } from '../errors.js';
import { exactMatch, type FilterArgs, nodeScope, without } from './filter-args.js';

/** Filter keys of `GET /images/json`: the engine's (dockerd 20.10) plus Swarm's `node`. */
export const IMAGE_FILTER_KEYS: ReadonlySet<string> = new Set([
  'dangling',
  'label',
  'before',
  'since',
  'reference',
  'node',
]);

/** An image list request split between the manager and the engines. */
export interface ImageListPlan {
  /** Nodes asked for by `node` (names or IDs); undefined = every healthy node. */
  readonly nodes: readonly string[] | undefined;
  /** Filters every engine applies itself (dangling, label, reference). */
  readonly forward: FilterArgs;
  /** The `before` / `since` image refs: sent to engines that hold them, compared by creation time elsewhere. */
  readonly before: string | undefined;
  readonly since: string | undefined;
}

/**
 * Checks image list filters as dockerd 20.10 does and splits them.
 * @throws InvalidArgumentError (400) with the engine's text for an unknown key (`Invalid filter 'x'`), and
 *   {@link InvalidFilterTypeError} (400) with classic Swarm's text for a `dangling` value other than `true` or
 *   `false` (`Invalid filter: 'type'='dangling'`; the engine says `Invalid filter 'dangling=[x]'`).
 */
export function planImageList(filters: FilterArgs): ImageListPlan {
  for (const k of filters.keys()) {
    if (!IMAGE_FILTER_KEYS.has(k)) throw new InvalidArgumentError(`Invalid filter '${k}'`);
  }
  if (
    filters.has('dangling') &&
    !exactMatch(filters, 'dangling', 'true') &&
    !exactMatch(filters, 'dangling', 'false')
  )
    throw new InvalidFilterTypeError('dangling');
  return {
    nodes: nodeScope(filters),
    forward: without(filters, 'node', 'before', 'since'),
    before: filters.get('before')?.[0],
    since: filters.get('since')?.[0],
  };
}

/** An image list entry as the engine returns it (the fields read here). */
export interface ImageEntry {
  readonly Id: string;
  readonly ParentId?: string;
  readonly RepoTags?: readonly string[] | null;
  readonly RepoDigests?: readonly string[] | null;
}

/**
 * How an engine's message names a missing image ref: `nope` → `nope:latest`, tags, digests and IDs as given.
 */
export function qualifiedRef(ref: string): string {
  if (ref.includes('@') || /^(sha256:)?[0-9a-f]{12,64}$/.test(ref)) return ref;
  const lastSlash = ref.lastIndexOf('/');
  return ref.slice(lastSlash + 1).includes(':') ? ref : `${ref}:latest`;
}

function familiar(ref: string): string {
  return ref.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
}

/**
 * Resolves `ref` among one engine's images as the engine does: a tag or digest reference first, then a full or
 * prefix ID. Undefined when nothing (or more than one ID) matches.
 */
export function resolveImage(images: readonly ImageEntry[], ref: string): string | undefined {
  const tagged = familiar(qualifiedRef(ref));
  const byRef = images.find(
    (i) =>
      (i.RepoTags ?? []).some((t) => familiar(t) === tagged) ||
      (i.RepoDigests ?? []).some((d) => familiar(d) === familiar(ref)),
  );
  if (byRef) return byRef.Id;
  const hex = ref.replace(/^sha256:/, '');
  if (!/^[0-9a-f]+$/.test(hex)) return undefined;
  const hits = images.filter((i) => i.Id.replace(/^sha256:/, '').startsWith(hex));
  return hits.length === 1 ? hits[0]?.Id : undefined;
}

/**
 * The image IDs a container `ancestor` filter matches on one engine: each named image and every image built on
 * it (by `ParentId`). Refs the engine does not know add nothing, as on the engine.
 */
export function ancestorIds(images: readonly ImageEntry[], refs: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const ref of refs) {
    const id = resolveImage(images, ref);
    if (id) out.add(id);
  }
  let grew = out.size > 0;
  while (grew) {
    grew = false;
    for (const i of images) {
      if (!out.has(i.Id) && i.ParentId && out.has(i.ParentId)) {
        out.add(i.Id);
        grew = true;
      }
    }
  }
  return out;
}
