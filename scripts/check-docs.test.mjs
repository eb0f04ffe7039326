import { describe, expect, it } from 'vitest';
import { anchorsOf, checkDocs, docRefsOf, slug } from './check-docs.mjs';

const SIGN = '\u00a7';
const pages = new Map([
  ['docs/behaviour/filters.md', '# Filters\n\n## Constraint\n\n## Port\n\n```\n## not a heading\n```\n'],
  [
    'docs/behaviour/info.md',
    '# `docker info` through the manager\n\n## SystemStatus\n\nSee [filters](filters.md#port).\n',
  ],
]);

describe('slug and anchorsOf', () => {
  it('follow GitHub: lower case, punctuation dropped, blanks to hyphens, duplicates numbered', () => {
    expect(slug('`docker info` through the manager')).toBe('docker-info-through-the-manager');
    expect(slug('Top-level fields')).toBe('top-level-fields');
    expect([...anchorsOf('## Steps\n## Steps\n```\n## Fenced\n```\n')]).toEqual(['steps', 'steps-1']);
  });
});

describe('docRefsOf', () => {
  it('finds every page and anchor with its line', () => {
    expect(docRefsOf('a\n// (docs/behaviour/filters.md#constraint, docs/architecture.md)')).toEqual([
      { page: 'docs/behaviour/filters.md', anchor: 'constraint', line: 2 },
      { page: 'docs/architecture.md', anchor: undefined, line: 2 },
    ]);
  });
});

describe('checkDocs', () => {
  it('accepts references that resolve', () => {
    const files = [{ path: 'src/a.ts', source: '/** Port rules (docs/behaviour/filters.md#port). */' }];
    expect(checkDocs(files, pages)).toEqual([]);
  });

  it.each([
    ['a section sign', `// Swarm's rule (${SIGN}1.10)`, /src\/a.ts:1: cites a section/],
    ['a missing page', '// docs/behaviour/nowhere.md', /docs\/behaviour\/nowhere.md does not exist/],
    ['a missing heading', '// docs/behaviour/filters.md#affinity', /has no heading #affinity/],
    ['a heading inside a code fence', '// docs/behaviour/filters.md#not-a-heading', /has no heading/],
  ])('rejects %s', (_what, source, message) => {
    const problems = checkDocs([{ path: 'src/a.ts', source }], pages);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('rejects a broken link between docs pages', () => {
    const broken = new Map(pages);
    broken.set('docs/behaviour/api.md', '# API\n[x](info.md#fields)\n');
    expect(checkDocs([], broken)).toEqual([
      'docs/behaviour/api.md:2: docs/behaviour/info.md has no heading #fields',
    ]);
  });
});
