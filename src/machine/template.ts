import { InvalidArgumentError } from '../util/errors.js';

/** A compiled Go-template-ish format: `{{.Field}}`, `{{.A.B}}`, `{{.}}`, `{{json .X}}`, `{{prettyjson .X}}`. */
export interface Template {
  /** Renders one value. */
  render(data: unknown): string;
  /** The field paths used, in order (for table headers). */
  readonly fields: readonly string[];
}

type Part = { kind: 'text'; text: string } | { kind: 'action'; fn: string; path: string[] };

/** Turns the literal escapes `\t` and `\n` a shell passes through into real tabs/newlines (as docker does). */
export function unescapeFormat(format: string): string {
  return format.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
}

/**
 * Compiles a small subset of Go's text/template. Unknown functions or malformed actions throw
 * {@link InvalidArgumentError} with a `template:` message.
 */
export function compileTemplate(format: string): Template {
  const parts: Part[] = [];
  const fields: string[] = [];
  const re = /\{\{-?\s*(.*?)\s*-?\}\}/g;
  let last = 0;
  for (let m = re.exec(format); m !== null; m = re.exec(format)) {
    if (m.index > last) parts.push({ kind: 'text', text: format.slice(last, m.index) });
    last = m.index + m[0].length;
    const words = (m[1] ?? '').split(/\s+/).filter((w) => w !== '');
    let fn = '';
    let ref = words[0] ?? '';
    if (words.length === 2) {
      fn = words[0] ?? '';
      ref = words[1] ?? '';
    } else if (words.length !== 1) {
      throw new InvalidArgumentError(`template: bad action "${m[0]}"`);
    }
    if (fn !== '' && !['json', 'prettyjson', 'upper', 'lower'].includes(fn)) {
      throw new InvalidArgumentError(`template: function "${fn}" not defined`);
    }
    if (!ref.startsWith('.'))
      throw new InvalidArgumentError(`template: bad field reference "${ref}" in "${m[0]}"`);
    const path = ref === '.' ? [] : ref.slice(1).split('.');
    if (path.some((p) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p))) {
      throw new InvalidArgumentError(`template: bad field reference "${ref}"`);
    }
    fields.push(path.join('.'));
    parts.push({ kind: 'action', fn, path });
  }
  if (format.slice(last).includes('{{')) throw new InvalidArgumentError('template: unclosed action');
  if (last < format.length) parts.push({ kind: 'text', text: format.slice(last) });

  return {
    fields,
    render(data: unknown): string {
      let out = '';
      for (const p of parts) {
        if (p.kind === 'text') {
          out += p.text;
          continue;
        }
        let v: unknown = data;
        for (const key of p.path) {
          if (v === null || typeof v !== 'object' || !(key in (v as object))) {
            throw new InvalidArgumentError(`template: can't evaluate field ${key}`);
          }
          v = (v as Record<string, unknown>)[key];
        }
        out += apply(p.fn, v);
      }
      return out;
    },
  };
}

function plain(v: unknown): string {
  if (v === null || v === undefined) return '<no value>';
  if (Array.isArray(v)) return `[${v.map(plain).join(' ')}]`;
  if (typeof v === 'object') {
    return `map[${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}:${plain(x)}`)
      .join(' ')}]`;
  }
  return String(v);
}

function apply(fn: string, v: unknown): string {
  switch (fn) {
    case 'json':
      return JSON.stringify(v ?? null);
    case 'prettyjson':
      return JSON.stringify(v ?? null, null, 4);
    case 'upper':
      return plain(v).toUpperCase();
    case 'lower':
      return plain(v).toLowerCase();
    default:
      return plain(v);
  }
}

/**
 * Aligns tab-separated lines like Go's tabwriter (minwidth 5, padding 3, pad with spaces): every cell that is
 * followed by a tab is padded to its column's width; the last cell of a line is not padded.
 */
export function alignTabs(lines: readonly string[], minWidth = 5, padding = 3): string[] {
  const rows = lines.map((l) => l.split('\t'));
  const widths: number[] = [];
  for (const r of rows) {
    r.slice(0, -1).forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length + padding, minWidth);
    });
  }
  return rows.map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i] ?? 0) : c)).join(''));
}

/**
 * Renders rows with a `--format`: a `table ` prefix adds a header row (labels from `headers`, else the upper-cased
 * field name) and aligns columns; without it each row is rendered as is.
 */
export function renderRows(
  format: string,
  rows: readonly unknown[],
  headers: Readonly<Record<string, string>> = {},
): string[] {
  const f = unescapeFormat(format);
  const table = /^table(\s|$)/.test(f);
  const body = table ? f.replace(/^table\s*/, '') : f;
  const t = compileTemplate(body);
  const out = rows.map((r) => t.render(r));
  if (!table) return out;
  let i = 0;
  const header = body.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, () => {
    const field = t.fields[i++] ?? '';
    return headers[field] ?? field.split('.').pop()?.toUpperCase() ?? '';
  });
  return alignTabs([header, ...out]);
}
