import { ClusterError, InvalidArgumentError } from '../../util/errors.js';

/**
 * The `filters` query of the Engine's list endpoints as a dockerd 20.10 reads it: each key maps to a set of values.
 * Matching helpers follow the engine's rules, so the manager's answers equal an engine's.
 */
export type FilterArgs = ReadonlyMap<string, readonly string[]>;

/** A filter the engine refuses with a 500 (its Go parse errors: `strconv.Atoi: parsing "x": invalid syntax`). */
export class FilterParseError extends ClusterError {
  override readonly code: string = 'FILTER_PARSE';
}

/**
 * Parses the `filters` query value in the current (`{"name":{"web":true}}`) and the legacy (`{"name":["web"]}`)
 * shape; an empty or missing value, or JSON `null`, is no filter (Go decodes `null` into an empty map), and a key
 * whose value is `null` has no values (so an unknown one is still refused by the list's key check).
 * @param opts.badRequest refuse malformed text with a 400, as the engine's volume and network lists do (its
 *   container and image lists answer 500)
 * @throws FilterParseError (500) or InvalidArgumentError (400, with `badRequest`) on text that is not a JSON
 *   object of those shapes.
 */
export function parseFilterArgs(
  text: string | null | undefined,
  opts: { readonly badRequest?: boolean } = {},
): FilterArgs {
  const out = new Map<string, string[]>();
  if (!text) return out;
  const fail = (message: string, cause?: unknown): never => {
    throw opts.badRequest
      ? new InvalidArgumentError(message, { cause })
      : new FilterParseError(message, { cause });
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return fail(`invalid filters: ${(err as Error).message}`, err);
  }
  if (raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) fail('invalid filters: not a JSON object');
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    // as Go decodes it: a null value is an empty list, a null in a list an empty string
    if (v === null) out.set(k, []);
    else if (Array.isArray(v)) {
      if (v.some((x) => x !== null && typeof x !== 'string'))
        fail(`invalid filters: the values of "${k}" are not strings`);
      out.set(
        k,
        v.map((x) => (x === null ? '' : (x as string))),
      );
    } else if (typeof v === 'object') {
      out.set(
        k,
        Object.entries(v as Record<string, unknown>)
          .filter(([, on]) => on === true)
          .map(([x]) => x),
      );
    } else fail(`invalid filters: the value of "${k}" is not a list`);
  }
  return out;
}

/** A copy of `query` whose `filters` are `args` (none when empty), for the engines. */
export function withFilters(query: URLSearchParams, args: FilterArgs): URLSearchParams {
  const q = new URLSearchParams(query);
  if (args.size > 0) q.set('filters', formatFilterArgs(args));
  else q.delete('filters');
  return q;
}

/** The filters as the engine's query value (current shape). */
export function formatFilterArgs(args: FilterArgs): string {
  const o: Record<string, Record<string, boolean>> = {};
  for (const [k, vs] of args) o[k] = Object.fromEntries(vs.map((v) => [v, true]));
  return JSON.stringify(o);
}

/**
 * Refuses keys outside `accepted` with the engine's 400 `Invalid filter '<key>'`.
 * @throws InvalidArgumentError on the first unknown key.
 */
export function validateKeys(args: FilterArgs, accepted: ReadonlySet<string>): void {
  for (const k of args.keys()) {
    if (!accepted.has(k)) throw new InvalidArgumentError(`Invalid filter '${k}'`);
  }
}

/** Go's `fmt` rendering of a string slice: `[a b]`. */
export function goList(values: readonly string[]): string {
  return `[${values.join(' ')}]`;
}

/** Copy of `args` without `keys`. */
export function without(args: FilterArgs, ...keys: string[]): Map<string, readonly string[]> {
  const out = new Map(args);
  for (const k of keys) out.delete(k);
  return out;
}

/**
 * {@link match} compiled once for a listing: each value's regexp is built here, not once per container tested (at
 * 30,000 containers a filtered `docker ps` built 30,000 of them).
 */
export function matcher(args: FilterArgs, key: string): (source: string) => boolean {
  const values = args.get(key);
  if (!values || values.length === 0) return () => true;
  const compiled = values.map((v) => {
    try {
      return { v, re: new RegExp(v) as RegExp | undefined };
    } catch {
      return { v, re: undefined };
    }
  });
  return (source) => compiled.some(({ v, re }) => v === source || (re?.test(source) ?? false));
}

/** The engine's `Match`: true without values for `key`; else some value equals `source` or, as a regexp, matches it. */
export function match(args: FilterArgs, key: string, source: string): boolean {
  const values = args.get(key);
  if (!values || values.length === 0) return true;
  return values.some((v) => {
    if (v === source) return true;
    try {
      return new RegExp(v).test(source);
    } catch {
      return false;
    }
  });
}

/** The engine's `ExactMatch`: true without values for `key`; else some value equals `source`. */
export function exactMatch(args: FilterArgs, key: string, source: string): boolean {
  const values = args.get(key);
  if (!values || values.length === 0) return true;
  return values.includes(source);
}

/** The engine's `MatchKVList`: every `k` or `k=v` value is present in `labels`. */
export function matchLabels(
  args: FilterArgs,
  key: string,
  labels: Readonly<Record<string, string>> | null | undefined,
): boolean {
  const values = args.get(key);
  if (!values || values.length === 0) return true;
  const l = labels ?? {};
  return values.every((v) => {
    const eq = v.indexOf('=');
    if (eq < 0) return Object.hasOwn(l, v);
    const name = v.slice(0, eq);
    return Object.hasOwn(l, name) && l[name] === v.slice(eq + 1);
  });
}

/** The nodes Swarm's `node` key asks for (names or IDs), or undefined when it is absent (all nodes). */
export function nodeScope(args: FilterArgs): readonly string[] | undefined {
  const nodes = args.get('node');
  return nodes && nodes.length > 0 ? nodes : undefined;
}
