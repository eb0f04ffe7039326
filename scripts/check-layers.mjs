#!/usr/bin/env node
// Fails when an import under src/ breaks the layering of docs/architecture.md: a layer importing one on its own
// level or above, the scheduler importing anything but itself and util, the ui anything but util, or product code
// importing the test kit. Run by `npm run lint`; `node scripts/check-layers.mjs [root]`.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Level of every layer (a folder under src/); higher levels may import lower ones. Keep in step with the doc. */
export const LEVELS = {
  cli: 6,
  up: 5,
  ui: 5,
  api: 4,
  cluster: 3,
  kv: 3,
  scheduler: 2,
  discovery: 2,
  machine: 2,
  images: 2,
  engine: 1,
  host: 1,
  metrics: 1,
  util: 0,
};

/** Layers that may import only the listed layers (besides themselves), and no package at all when `packages` is []. */
export const NARROW = {
  scheduler: { layers: ['util'], packages: [] },
  ui: { layers: ['util'] },
};

/** Folder of test-only helpers: imported by tests and by itself only. */
export const TEST_KIT = 'testkit';

const IMPORT_RE =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\sfrom\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The module specifiers a source text imports or re-exports (static and dynamic with a literal). */
export function importsOf(source) {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const out = [];
  for (const m of text.matchAll(IMPORT_RE)) out.push(m[1] ?? m[2]);
  return out;
}

/** The layer of a path relative to src/ (posix separators): its first folder, or util for files directly in src/. */
export function layerOf(srcPath) {
  const i = srcPath.indexOf('/');
  return i < 0 ? 'util' : srcPath.slice(0, i);
}

const isTest = (p) => /\.test\.[cm]?[jt]s$/.test(p);

/**
 * Checks files given as `{ path, source }` with `path` relative to src/ (posix). Returns one message per broken
 * rule, empty when the layering holds.
 */
export function checkLayers(files) {
  const problems = [];
  for (const { path, source } of files) {
    const from = layerOf(path);
    if (from !== TEST_KIT && !(from in LEVELS)) {
      problems.push(
        `src/${path}: folder "${from}" is not a known layer; add it to docs/architecture.md and ${SELF}`,
      );
      continue;
    }
    const test = isTest(path);
    for (const spec of importsOf(source)) {
      const relativeSpec = spec.startsWith('./') || spec.startsWith('../');
      if (!relativeSpec) {
        const narrow = NARROW[from];
        const pkg = spec.startsWith('node:') ? spec : spec.split('/')[0];
        if (narrow?.packages && !test && !narrow.packages.includes(pkg)) {
          problems.push(`src/${path}: ${from} imports no packages or node: modules (imports "${spec}")`);
        }
        continue;
      }
      const target = posix.normalize(posix.join(posix.dirname(path), spec));
      if (target.startsWith('../')) {
        if (!test) problems.push(`src/${path}: imports "${spec}" from outside src/`);
        continue;
      }
      const to = layerOf(target);
      if (to === from) continue;
      if (to === TEST_KIT) {
        if (!test) problems.push(`src/${path}: product code imports the test kit ("${spec}")`);
        continue;
      }
      if (from === TEST_KIT) continue;
      if (!(to in LEVELS)) {
        problems.push(`src/${path}: imports "${spec}" from "${to}", which is not a known layer`);
        continue;
      }
      const narrow = NARROW[from];
      if (narrow) {
        if (!narrow.layers.includes(to)) {
          problems.push(
            `src/${path}: ${from} may import only ${[from, ...narrow.layers].join(', ')} (imports "${spec}")`,
          );
        }
        continue;
      }
      if (test) continue;
      if (LEVELS[to] >= LEVELS[from]) {
        problems.push(
          `src/${path}: ${from} (level ${LEVELS[from]}) may not import ${to} (level ${LEVELS[to]}) ("${spec}")`,
        );
      }
    }
  }
  return problems;
}

const SELF = 'scripts/check-layers.mjs';

/** Every .ts/.mts/.js file under `dir`, as `{ path, source }` relative to `dir`. */
export function readTree(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(?:[cm]?ts|[cm]?js)$/.test(e.name) && !e.name.endsWith('.d.ts')) {
        out.push({ path: relative(dir, p).split(sep).join('/'), source: readFileSync(p, 'utf8') });
      }
    }
  };
  walk(dir);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? join(fileURLToPath(new URL('..', import.meta.url)));
  const problems = checkLayers(readTree(join(root, 'src')));
  for (const p of problems) console.error(p);
  if (problems.length > 0) {
    console.error(
      `${problems.length} layering problem(s); the rules are in docs/architecture.md#import-rules`,
    );
    process.exit(1);
  }
}
