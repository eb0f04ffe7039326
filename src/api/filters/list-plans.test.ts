import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../util/errors.js';
import { InvalidFilterTypeError } from '../errors.js';
import { formatFilterArgs, parseFilterArgs } from './filter-args.js';
import { ancestorIds, planImageList, qualifiedRef, resolveImage } from './image-filters.js';
import { planNetworkList } from './network-filters.js';
import { planVolumeList } from './volume-filters.js';

const splitNode = (ref: string) => {
  const [node, name] = ref.split('/');
  return node === 'n1' || node === 'n2' ? { node, name: name as string } : { name: ref };
};
const fwd = (args: ReadonlyMap<string, readonly string[]>) => JSON.parse(formatFilterArgs(args));

describe('parseFilterArgs', () => {
  it('reads the current and the legacy shape', () => {
    expect([...parseFilterArgs('{"a":{"x":true,"y":false},"b":["z"]}')]).toEqual([
      ['a', ['x']],
      ['b', ['z']],
    ]);
  });
  it('refuses malformed JSON with a 500, as the engine does', () => {
    expect(() => parseFilterArgs('{nope')).toThrow(/invalid filters/);
  });
});

describe('planNetworkList', () => {
  it.each([
    ['{"driver":["bridge"]}', undefined, { driver: { bridge: true } }],
    ['{"node":["n1"],"type":["custom"]}', ['n1'], { type: { custom: true } }],
    ['{"name":["n2/web"]}', ['n2'], { name: { web: true } }],
    ['{"dangling":["1"]}', undefined, { dangling: { '1': true } }],
  ])('%s → nodes %j, forwarded %j', (filters, nodes, forward) => {
    const plan = planNetworkList(parseFilterArgs(filters), splitNode);
    expect(plan.nodes).toEqual(nodes);
    expect(fwd(plan.forward)).toEqual(forward);
  });
  it.each([
    ['{"foo":["1"]}', "Invalid filter 'foo'"],
    ['{"type":["foo"]}', "Invalid filter: 'type'='foo'"],
    ['{"type":["custom","bar"]}', "Invalid filter: 'type'='bar'"],
    [
      '{"dangling":["x"]}',
      `invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`,
    ],
  ])('%s is refused: %s', (filters, message) => {
    expect(() => planNetworkList(parseFilterArgs(filters), splitNode)).toThrow(message);
  });
});

describe('planVolumeList', () => {
  it.each([
    ['{"name":["n1/data"],"driver":["local"]}', ['n1'], { name: { data: true }, driver: { local: true } }],
    ['{"node":["n2"],"dangling":["true"]}', ['n2'], { dangling: { true: true } }],
  ])('%s → nodes %j, forwarded %j', (filters, nodes, forward) => {
    const plan = planVolumeList(parseFilterArgs(filters), splitNode);
    expect(plan.nodes).toEqual(nodes);
    expect(fwd(plan.forward)).toEqual(forward);
  });
  it.each([
    ['{"foo":["1"]}', "Invalid filter 'foo'"],
    ['{"dangling":["x"]}', "Invalid filter 'dangling=[x]'"],
  ])('%s is refused: %s', (filters, message) => {
    expect(() => planVolumeList(parseFilterArgs(filters), splitNode)).toThrow(message);
  });
});

describe('image filters', () => {
  it('splits before/since from what engines apply', () => {
    const plan = planImageList(parseFilterArgs('{"before":["a"],"label":["x"],"node":["n1"]}'));
    expect([plan.before, plan.since, plan.nodes, fwd(plan.forward)]).toEqual([
      'a',
      undefined,
      ['n1'],
      { label: { x: true } },
    ]);
  });
  it.each([
    ['{"foo":["1"]}', "Invalid filter 'foo'", InvalidArgumentError],
    // classic Swarm's text and status, whatever the value (the engine says `Invalid filter 'dangling=[x]'`)
    ['{"dangling":["x"]}', "Invalid filter: 'type'='dangling'", InvalidFilterTypeError],
    ['{"dangling":["1"]}', "Invalid filter: 'type'='dangling'", InvalidFilterTypeError],
    ['{"dangling":["yes","no"]}', "Invalid filter: 'type'='dangling'", InvalidFilterTypeError],
  ])('%s is refused: %s', (filters, message, type) => {
    const err = (() => {
      try {
        planImageList(parseFilterArgs(filters));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(type);
    expect((err as Error).message).toBe(message);
    expect((err as InvalidArgumentError).httpStatus).toBe(400);
  });
  it.each(['true', 'false'])('accepts dangling=%s and forwards it', (v) => {
    expect(fwd(planImageList(parseFilterArgs(`{"dangling":["${v}"]}`)).forward)).toEqual({
      dangling: { [v]: true },
    });
  });
  it.each([
    ['nope', 'nope:latest'],
    ['reg:5000/a', 'reg:5000/a:latest'],
    ['a:1', 'a:1'],
    ['a@sha256:00', 'a@sha256:00'],
  ])('qualifiedRef(%s) = %s', (ref, want) => {
    expect(qualifiedRef(ref)).toBe(want);
  });
  const images = [
    { Id: 'sha256:aaa111', RepoTags: ['busybox:latest'] },
    { Id: 'sha256:bbb222', ParentId: 'sha256:aaa111', RepoTags: ['mine:1'] },
    { Id: 'sha256:ccc333', ParentId: 'sha256:bbb222', RepoTags: null },
    { Id: 'sha256:ddd444', RepoTags: ['other:latest'] },
  ];
  it.each([
    ['busybox', 'sha256:aaa111'],
    ['docker.io/library/busybox:latest', 'sha256:aaa111'],
    ['mine:1', 'sha256:bbb222'],
    ['ccc', 'sha256:ccc333'],
    ['sha256:ddd444', 'sha256:ddd444'],
    ['nope', undefined],
  ])('resolveImage(%s) = %s', (ref, want) => {
    expect(resolveImage(images, ref)).toBe(want);
  });
  it('ancestor IDs include every image built on the named one', () => {
    expect([...ancestorIds(images, ['busybox', 'nope'])].sort()).toEqual([
      'sha256:aaa111',
      'sha256:bbb222',
      'sha256:ccc333',
    ]);
  });
});
