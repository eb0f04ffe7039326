import { describe, expect, it } from 'vitest';
import { cached, hexId } from '../testkit/cluster-fixtures.js';
import { ContainerDirectory } from './container-directory.js';

const any = () => true;

describe('ContainerDirectory', () => {
  it('finds a container by each of its names, with or without the leading slash', () => {
    const idx = new ContainerDirectory<string>();
    idx.record('a', hexId('a1'), cached({ id: hexId('a1'), name: 'web', extraNames: ['/app/db'] }));
    expect(idx.holder('web', any)?.container.info.Id).toBe(hexId('a1'));
    expect(idx.holder('/web', any)?.node).toBe('a');
    expect(idx.holder('app/db', any)?.node).toBe('a');
    expect(idx.holder('db', any)).toBeUndefined();
    expect(idx.holder('', any)).toBeUndefined();
    expect(idx.holder('/', any)).toBeUndefined();
  });

  it('finds a container by its full ID until it is dropped', () => {
    const idx = new ContainerDirectory<string>();
    const id = hexId('a1');
    idx.record('a', id, cached({ id, name: 'web' }));
    expect(idx.byId(id, any)?.container.info.Name).toBe('/web');
    expect(idx.byId(id, (n) => n !== 'a')).toBeUndefined();
    expect(idx.byId(hexId('a2'), any)).toBeUndefined();
    const again = cached({ id, name: 'web' });
    idx.record('a', id, again);
    expect(idx.byId(id, any)?.container).toBe(again);
    idx.record('a', id, undefined);
    expect(idx.byId(id, any)).toBeUndefined();
  });

  it('follows a re-read that renames the container, and its removal', () => {
    const idx = new ContainerDirectory<string>();
    const id = hexId('a1');
    idx.record('a', id, cached({ id, name: 'old' }));
    idx.record('a', id, cached({ id, name: 'new' }));
    expect(idx.holder('old', any)).toBeUndefined();
    expect(idx.holder('new', any)?.container.info.Id).toBe(id);
    idx.record('a', id, undefined);
    expect(idx.holder('new', any)).toBeUndefined();
    expect(idx.size).toEqual({ names: 0, ids: 0 });
    // dropping what is not recorded changes nothing
    idx.record('a', id, undefined);
    expect(idx.size).toEqual({ names: 0, ids: 0 });
  });

  it('keeps a name held by two engines until both let it go, the first recorded answering', () => {
    const idx = new ContainerDirectory<string>();
    idx.record('a', hexId('a1'), cached({ id: hexId('a1'), name: 'web' }));
    idx.record('b', hexId('b1'), cached({ id: hexId('b1'), name: 'web' }));
    expect(idx.holder('web', any)?.node).toBe('a');
    expect(idx.holder('web', (n) => n !== 'a')?.node).toBe('b');
    expect(idx.holder('web', () => false)).toBeUndefined();
    idx.record('a', hexId('a1'), undefined);
    expect(idx.holder('web', any)?.node).toBe('b');
    idx.record('b', hexId('b1'), undefined);
    expect(idx.holder('web', any)).toBeUndefined();
  });

  it('keeps the order of a shared name across re-reads, and a third holder after one left', () => {
    const idx = new ContainerDirectory<string>();
    const a1 = hexId('a1');
    idx.record('a', a1, cached({ id: a1, name: 'web' }));
    idx.record('b', hexId('b1'), cached({ id: hexId('b1'), name: 'web' }));
    const again = cached({ id: a1, name: 'web' });
    idx.record('a', a1, again);
    expect(idx.holder('web', any)?.container).toBe(again);
    expect(idx.byId(a1, any)?.container).toBe(again);
    idx.record('b', hexId('b1'), undefined);
    idx.record('c', hexId('c1'), cached({ id: hexId('c1'), name: 'web' }));
    expect(idx.holder('web', any)?.node).toBe('a');
    expect(idx.holder('web', (n) => n !== 'a')?.node).toBe('c');
    // a re-read that adds a name files it; the shared name keeps its holders
    idx.record('a', a1, cached({ id: a1, name: 'web', extraNames: ['/app/web'] }));
    expect(idx.holder('app/web', any)?.node).toBe('a');
    expect(idx.holder('web', (n) => n !== 'a')?.node).toBe('c');
    expect(idx.size).toEqual({ names: 2, ids: 2 });
  });

  it('forgets every container of an engine that left', () => {
    const idx = new ContainerDirectory<string>();
    idx.record('a', hexId('a1'), cached({ id: hexId('a1'), name: 'one' }));
    idx.record('a', hexId('a2'), cached({ id: hexId('a2'), name: 'two' }));
    idx.record('b', hexId('b1'), cached({ id: hexId('b1'), name: 'two' }));
    idx.dropNode('a');
    expect(idx.holder('one', any)).toBeUndefined();
    expect(idx.byId(hexId('a1'), any)).toBeUndefined();
    expect(idx.holder('two', any)?.node).toBe('b');
    expect(idx.byId(hexId('b1'), any)?.node).toBe('b');
    idx.dropNode('a');
    idx.dropNode('b');
    expect(idx.size).toEqual({ names: 0, ids: 0 });
    // an engine that comes back is recorded afresh
    idx.record('a', hexId('a1'), cached({ id: hexId('a1'), name: 'one' }));
    expect(idx.holder('one', any)?.node).toBe('a');
  });
});
