import { InvalidExpressionError } from './errors.js';
import type { Expression, Matcher } from './types.js';

const KEY_RE = /^[a-z_][a-z0-9\-_.]+$/i;
// Swarm's value grammar: an optional `=`, `!` or `/`, an optional soft marker, then the allowed characters.
const VALUE_RE = /^[=!/]?~?[a-z0-9:\-_\s.*/()?+[\]\\^$|]+$/i;
// RE2 flag groups at the start of a pattern (`(?i)`, `(?is)`), which JavaScript spells as RegExp flags.
const RE2_FLAGS_RE = /^\(\?([a-zA-Z]+)\)/;
// Characters with a regex meaning (value grammar excludes `{}`); `/` for the `/regex/` form.
const REGEX_META_RE = /[\\^$.|?*+()[\]{}/]/;

function literalMatcher(literal: string): Matcher {
  return { literal, test: (s: string) => s === literal };
}

/**
 * Parses one `KEY OP VALUE` expression (constraint, affinity, whitelist) with classic Swarm's grammar
 * (docs/behaviour/expressions.md#grammar).
 *
 * - OP: the first `==` wins, else `!=`; neither → `One of operator ==, != is expected`.
 * - KEY: `[A-Za-z_][A-Za-z0-9._-]+` (two characters at least), kept as written.
 * - VALUE: may start with `~` (soft); leading `~`s are stripped from `value`.
 * - The matcher is compiled once here (see {@link compilePattern}) and stored in `pattern`.
 *
 * - A `/re/` value that is not a valid regular expression is refused (a client error, 400); a glob that does not
 *   compile keeps Swarm's quirk of matching nothing.
 *
 * @throws InvalidExpressionError naming the expression and the broken part.
 */
export function parseExpression(text: string): Expression {
  let op: '==' | '!=';
  let at = text.indexOf('==');
  if (at >= 0) op = '==';
  else {
    at = text.indexOf('!=');
    if (at < 0)
      throw new InvalidExpressionError(`invalid expression '${text}': One of operator ==, != is expected`);
    op = '!=';
  }
  const key = text.slice(0, at);
  const raw = text.slice(at + 2);
  if (!KEY_RE.test(key))
    throw new InvalidExpressionError(`invalid expression '${text}': Key '${key}' is invalid`);
  if (!VALUE_RE.test(raw))
    throw new InvalidExpressionError(`invalid expression '${text}': Value '${raw}' is invalid`);
  const soft = raw.startsWith('~');
  const value = soft ? raw.replace(/^~+/, '') : raw;
  const broken = regexSyntaxError(value);
  if (broken !== undefined)
    throw new InvalidExpressionError(
      `invalid expression '${text}': Value '${raw}' is not a valid regular expression (${broken})`,
    );
  return { key, op, value, soft, text, pattern: compilePattern(value) };
}

/** For a `/re/` value, why it is not a valid regular expression; undefined for valid ones and for globs. */
function regexSyntaxError(value: string): string | undefined {
  if (!(value.length >= 2 && value.startsWith('/') && value.endsWith('/'))) return undefined;
  try {
    new RegExp(value.slice(1, -1).replace(RE2_FLAGS_RE, ''));
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Parses every expression of a list; see {@link parseExpression}. */
export function parseExpressions(texts: readonly string[]): Expression[] {
  return texts.map(parseExpression);
}

/**
 * Compiles an expression value into a RegExp, or `null` when it does not compile (then it matches nothing, so `!=`
 * passes — Swarm's behaviour).
 *
 * - `/re/` (at least two characters, slashes at both ends): an unanchored regular expression. Patterns are RE2 in
 *   Swarm; JavaScript's syntax is close enough for the documented uses, and a leading RE2 flag group such as
 *   `(?i)` or `(?is)` becomes the RegExp flags `i`/`s`/`m`. Any other flag (RE2's `U`) does not compile.
 * - anything else: a glob anchored at both ends where only `*` is special (becomes `.*`). Kept quirk of Swarm:
 *   other regex characters are NOT escaped and keep their regex meaning (`eu.1` matches `eux1`, `a+` matches `aa`),
 *   because users' existing constraints rely on it (`node==node[12]`); a glob that is not a valid regex matches
 *   nothing.
 */
export function compilePattern(value: string): Matcher | null {
  // Fast paths with the same meaning as the anchored glob: a literal, or a literal followed by one `*`.
  if (!REGEX_META_RE.test(value)) return literalMatcher(value);
  const star = value.indexOf('*');
  if (star === value.length - 1 && !REGEX_META_RE.test(value.slice(0, -1)) && !value.startsWith('/')) {
    const prefix = value.slice(0, -1);
    return { test: (s: string) => s.startsWith(prefix) };
  }
  try {
    if (value.length >= 2 && value.startsWith('/') && value.endsWith('/')) {
      let source = value.slice(1, -1);
      let flags = '';
      const m = RE2_FLAGS_RE.exec(source);
      if (m) {
        for (const f of m[1]!) {
          if (f !== 'i' && f !== 's' && f !== 'm') return null;
          if (!flags.includes(f)) flags += f;
        }
        source = source.slice(m[0].length);
      }
      return new RegExp(source, flags);
    }
    return new RegExp(`^${value.replaceAll('*', '.*')}$`);
  } catch {
    return null;
  }
}

/**
 * Applies an expression to the values a node offers (label value, node ID and name, container names, ...):
 * `==` passes if any value matches, `!=` passes if none does. With no values at all `==` fails and `!=` passes.
 */
export function matchesAny(expr: Expression, values: readonly string[]): boolean {
  const re = expr.pattern === undefined ? compilePattern(expr.value) : expr.pattern;
  let matched = false;
  if (re !== null) {
    for (const v of values) {
      if (re.test(v)) {
        matched = true;
        break;
      }
    }
  }
  return expr.op === '==' ? matched : !matched;
}

/** Same as {@link matchesAny} for one value, without allocating a list (the constraint filter's hot path). */
export function matchesOne(expr: Expression, value: string): boolean {
  const re = expr.pattern === undefined ? compilePattern(expr.value) : expr.pattern;
  const matched = re?.test(value) ?? false;
  return expr.op === '==' ? matched : !matched;
}

/** Swarm's display form `key==value` (soft marker dropped), used in the "following conditions" lines. */
export function formatExpression(expr: Expression): string {
  return `${expr.key}${expr.op}${expr.value}`;
}
