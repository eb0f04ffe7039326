#!/usr/bin/env node
// Fails when a code comment cites a specification section (the section sign) instead of a page under docs/, or when
// a reference to docs/ (in code, or a link between docs pages) names a page or heading that does not exist.
// Run by `npm run lint`; `node scripts/check-docs.mjs [root]`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SECTION_SIGN = '\u00a7';
const CODE_DIRS = ['src', 'bench', 'scripts'];

/** GitHub's anchor for a heading text: lower case, punctuation dropped, blanks to hyphens. */
export function slug(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a markdown text's headings (duplicates get `-1`, `-2`, … as on GitHub). */
export function anchorsOf(markdown) {
  const seen = new Map();
  const out = new Set();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const m = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** `docs/…md` references in a code text, with their anchors: `{ page, anchor?, line }`. */
export function docRefsOf(source) {
  const out = [];
  source.split('\n').forEach((text, i) => {
    for (const m of text.matchAll(/\bdocs\/([\w./-]+\.md)(?:#([\w-]+))?/g)) {
      out.push({ page: `docs/${m[1]}`, anchor: m[2], line: i + 1 });
    }
  });
  return out;
}

/**
 * Checks code files and docs pages. `files` are `{ path, source }` with repository-relative posix paths; `pages`
 * maps each docs page path to its text. Returns one message per problem.
 */
export function checkDocs(files, pages) {
  const anchors = new Map([...pages].map(([p, text]) => [p, anchorsOf(text)]));
  const problems = [];
  const resolve = (where, page, anchor) => {
    if (!anchors.has(page)) problems.push(`${where}: ${page} does not exist`);
    else if (anchor && !anchors.get(page).has(anchor))
      problems.push(`${where}: ${page} has no heading #${anchor}`);
  };
  for (const { path, source } of files) {
    source.split('\n').forEach((text, i) => {
      if (text.includes(SECTION_SIGN)) {
        problems.push(
          `${path}:${i + 1}: cites a section of a document outside the repository; point at docs/behaviour/… instead`,
        );
      }
    });
    for (const r of docRefsOf(source)) resolve(`${path}:${r.line}`, r.page, r.anchor);
  }
  for (const [page, text] of pages) {
    text.split('\n').forEach((line, i) => {
      for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/i.test(target)) continue;
        const [file, anchor] = target.split('#');
        const to = file ? posix.normalize(posix.join(posix.dirname(page), file)) : page;
        if (!to.endsWith('.md')) {
          if (!file.endsWith('/') && !existsSync(to)) continue;
          resolve(`${page}:${i + 1}`, posix.join(to, 'README.md'), anchor);
          continue;
        }
        resolve(`${page}:${i + 1}`, to, anchor);
      }
    });
  }
  return problems;
}

function walk(dir, keep, out = []) {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'dist') walk(p, keep, out);
    } else if (keep(e.name)) out.push(p);
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? dirname(dirname(fileURLToPath(import.meta.url)));
  const rel = (p) => relative(root, p).split(sep).join('/');
  const files = CODE_DIRS.flatMap((d) => walk(join(root, d), (n) => /\.(?:[cm]?ts|[cm]?js)$/.test(n)))
    .filter((p) => !p.endsWith(join('scripts', 'check-docs.test.mjs')))
    .map((p) => ({ path: rel(p), source: readFileSync(p, 'utf8') }));
  const pages = new Map(
    walk(join(root, 'docs'), (n) => n.endsWith('.md')).map((p) => [rel(p), readFileSync(p, 'utf8')]),
  );
  const problems = checkDocs(files, pages);
  for (const p of problems) console.error(p);
  if (problems.length > 0) {
    console.error(`${problems.length} documentation reference problem(s)`);
    process.exit(1);
  }
}
