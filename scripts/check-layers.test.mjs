import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkLayers, importsOf, layerOf, readTree } from './check-layers.mjs';

const file = (path, source) => ({ path, source });

describe('importsOf', () => {
  it('finds static, type-only, re-exported, side-effect and dynamic imports, not commented ones', () => {
    const src = [
      "import { a } from './a.js';",
      "import type { B } from '../b/b.js';",
      'import {',
      '  c,',
      '  d,',
      "} from './c.js';",
      "export { e } from './e.js';",
      "export * from './f.js';",
      "import './g.js';",
      "const h = await import('./h.js');",
      "// import { x } from './commented.js';",
      "/* import { y } from './block.js'; */",
      "export const s = 'not an import';",
    ].join('\n');
    expect(importsOf(src)).toEqual(['./a.js', '../b/b.js', './c.js', './e.js', './f.js', './g.js', './h.js']);
  });
});

describe('layerOf', () => {
  it('is the first folder, or util for files directly in src/', () => {
    expect(layerOf('cluster/engine.ts')).toBe('cluster');
    expect(layerOf('scheduler/filters/port-filter.ts')).toBe('scheduler');
    expect(layerOf('version.ts')).toBe('util');
  });
});

describe('checkLayers', () => {
  it.each([
    ['a higher layer importing a lower one', 'api/x.ts', "import { C } from '../cluster/index.js';"],
    [
      'the scheduler importing util',
      'scheduler/x.ts',
      "import { parseDuration } from '../util/duration.js';",
    ],
    ['a file directly in src/ counted as util', 'scheduler/x.ts', "import { V } from '../version.js';"],
    ['a layer importing its own folder', 'cluster/a/b.ts', "import { E } from '../engine.js';"],
    ['a test importing the test kit', 'api/x.int.test.ts', "import { boot } from '../testkit/hosts.js';"],
    ['a test importing a higher layer', 'discovery/x.int.test.ts', "import { K } from '../kv/index.js';"],
    ['a scheduler test using vitest', 'scheduler/x.test.ts', "import { it } from 'vitest';"],
    ['kv using a layer below it', 'kv/member.ts', "import { spawnDaemon } from '../host/processes.js';"],
  ])('accepts %s', (_what, path, source) => {
    expect(checkLayers([file(path, source)])).toEqual([]);
  });

  it.each([
    [
      'the scheduler importing the cluster',
      'scheduler/x.ts',
      "import type { Engine } from '../cluster/engine.js';",
      /scheduler may import only scheduler, util/,
    ],
    [
      'the scheduler importing a node: module',
      'scheduler/x.ts',
      "import { readFile } from 'node:fs/promises';",
      /imports no packages/,
    ],
    [
      'the scheduler importing a package',
      'scheduler/x.ts',
      "import pino from 'pino';",
      /imports no packages/,
    ],
    [
      'a scheduler test importing the cluster',
      'scheduler/x.test.ts',
      "import { Cluster } from '../cluster/index.js';",
      /may import only/,
    ],
    [
      'a lower layer importing a higher one',
      'cluster/x.ts',
      "import { ApiServer } from '../api/server.js';",
      /cluster \(level 3\) may not import api \(level 4\)/,
    ],
    [
      'a layer importing one on its own level',
      'discovery/x.ts',
      "export { Scheduler } from '../scheduler/index.js';",
      /may not import scheduler/,
    ],
    [
      'util importing anything above it',
      'util/x.ts',
      "const m = await import('../machine/store/file-store.js');",
      /util \(level 0\) may not import machine/,
    ],
    [
      'the ui importing the api',
      'ui/page.ts',
      "import { allRoutes } from '../api/routes/index.js';",
      /ui may import only ui, util/,
    ],
    [
      'product code importing the test kit',
      'cluster/x.ts',
      "import { boot } from '../testkit/hosts.js';",
      /test kit/,
    ],
    ['a folder that is no known layer', 'widgets/x.ts', "import { a } from './a.js';", /not a known layer/],
  ])('rejects %s', (_what, path, source, message) => {
    const problems = checkLayers([file(path, source)]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
    expect(problems[0]).toContain(`src/${path}`);
  });

  it('passes on the repository itself', () => {
    const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
    expect(checkLayers(readTree(src))).toEqual([]);
  });
});

describe('check-layers.mjs as a command', () => {
  it('exits 1 and names the file when a synthetic tree breaks a rule, 0 when it does not', () => {
    const root = mkdtempSync(join(tmpdir(), 'shoal-layers-'));
    try {
      mkdirSync(join(root, 'src', 'scheduler'), { recursive: true });
      mkdirSync(join(root, 'src', 'cluster'), { recursive: true });
      writeFileSync(join(root, 'src', 'cluster', 'engine.ts'), 'export const e = 1;\n');
      const script = fileURLToPath(new URL('./check-layers.mjs', import.meta.url));
      writeFileSync(join(root, 'src', 'scheduler', 'ok.ts'), 'export const ok = 1;\n');
      expect(spawnSync(process.execPath, [script, root]).status).toBe(0);

      writeFileSync(join(root, 'src', 'scheduler', 'bad.ts'), "import { e } from '../cluster/engine.js';\n");
      const run = spawnSync(process.execPath, [script, root], { encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('src/scheduler/bad.ts');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
