#!/usr/bin/env node
// Runs every test: builds, then the unit project, then the integration project (real engines), and ends with one
// line `N passed, N failed` summing both. Exits non-zero if anything failed or if no test ran at all.
// Extra arguments are passed to vitest (e.g. a file filter).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const extra = process.argv.slice(2);
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'shoal-test-'));
let passed = 0;
let failed = 0;
let skipped = 0;
let crashed = false;
for (const project of ['unit', 'int']) {
  const out = join(dir, `${project}.json`);
  const r = spawnSync(
    'npx',
    [
      'vitest',
      'run',
      '--project',
      project,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${out}`,
      '--passWithNoTests',
      ...extra,
    ],
    { stdio: 'inherit' },
  );
  try {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
    // A file that fails to load has no failed test but a failed suite: count it, so it cannot pass silently.
    const brokenFiles = report.testResults.filter(
      (f) => f.status === 'failed' && f.assertionResults.length === 0,
    );
    failed += brokenFiles.length;
  } catch {
    crashed = true;
  }
  if (r.status !== 0 && failed === 0) crashed = true;
}
rmSync(dir, { recursive: true, force: true });
if (crashed) failed += 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
