import { describe, expect, it } from 'vitest';
import { alignTabs, compileTemplate, renderRows, unescapeFormat } from './template.js';

const data = {
  Name: 'n1',
  State: 'Running',
  Labels: ['a=b', 'c=d'],
  Opts: { Port: 2376, Tls: true },
  Nil: null,
};

describe('compileTemplate', () => {
  it.each([
    ['{{.Name}}', 'n1'],
    ['{{ .Name }} is {{.State}}', 'n1 is Running'],
    ['{{.Opts.Port}}', '2376'],
    ['{{json .Labels}}', '["a=b","c=d"]'],
    ['{{json .Opts}}', '{"Port":2376,"Tls":true}'],
    ['{{.Labels}}', '[a=b c=d]'],
    ['{{.Opts}}', 'map[Port:2376 Tls:true]'],
    ['{{.Nil}}', '<no value>'],
    ['{{upper .Name}}', 'N1'],
    ['plain', 'plain'],
  ])('%s → %s', (fmt, out) => {
    expect(compileTemplate(fmt).render(data)).toBe(out);
  });

  it('prettyjson indents with 4 spaces', () => {
    expect(compileTemplate('{{prettyjson .Opts}}').render(data)).toBe(
      '{\n    "Port": 2376,\n    "Tls": true\n}',
    );
  });

  it.each([['{{.Missing}}'], ['{{nope .Name}}'], ['{{Name}}'], ['{{.Name'], ['{{a b c}}']])(
    '%s is an error',
    (fmt) => {
      expect(() => compileTemplate(fmt).render(data)).toThrow(/template:/);
    },
  );
});

describe('tables', () => {
  it('aligns like tabwriter (min 5, padding 3), last column unpadded', () => {
    expect(alignTabs(['A\tBB\tC', 'long-name\tx\t'])).toEqual(['A           BB   C', 'long-name   x    ']);
  });

  it('table prefix adds headers from the map or upper-cased field names', () => {
    const rows = renderRows('table {{.Name}}\\t{{.State}}\\t{{.Opts.Port}}', [data], { State: 'STATE!' });
    expect(rows).toEqual(['NAME   STATE!    PORT', 'n1     Running   2376']);
  });

  it('without table prefix rows are rendered as is', () => {
    expect(renderRows('{{.Name}}:{{.State}}', [data, { ...data, Name: 'n2' }])).toEqual([
      'n1:Running',
      'n2:Running',
    ]);
  });

  it('unescapes \\t and \\n', () => {
    expect(unescapeFormat('a\\tb\\nc')).toBe('a\tb\nc');
  });
});
