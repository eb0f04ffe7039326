import { describe, expect, it } from 'vitest';
import { decodeJsonLines } from './engine-events.js';
import { annotateEvent, ClusterEvents, swarmEvent } from './events.js';

const node = { id: 'ID1', name: 'node-1', addr: '10.0.0.1:2376', ip: '10.0.0.1' };

describe('annotateEvent', () => {
  it('adds node info in the three places Swarm does', () => {
    const ev = {
      status: 'start',
      id: 'c1',
      from: 'busybox',
      Type: 'container',
      Action: 'start',
      Actor: { ID: 'c1', Attributes: { image: 'busybox' } },
      time: 5,
    };
    const out = annotateEvent(ev, node);
    expect(out.from).toBe('busybox node:node-1');
    expect(out.Actor?.Attributes).toEqual({
      image: 'busybox',
      'node.name': 'node-1',
      'node.id': 'ID1',
      'node.addr': '10.0.0.1:2376',
      'node.ip': '10.0.0.1',
    });
    expect(out.node).toEqual({ Name: 'node-1', Id: 'ID1', Addr: '10.0.0.1:2376', Ip: '10.0.0.1' });
    expect(ev.from).toBe('busybox');
  });

  it('leaves from absent when the engine gave none (network events)', () => {
    expect(annotateEvent({ Type: 'network', Action: 'create' }, node).from).toBeUndefined();
  });

  it('builds swarm events', () => {
    const ev = swarmEvent('engine_reconnect', node, 2_000_500);
    expect(ev).toMatchObject({
      Type: 'swarm',
      Action: 'engine_reconnect',
      status: 'engine_reconnect',
      from: 'swarm node:node-1',
      time: 2000,
      timeNano: 2_000_500_000_000,
    });
  });
});

describe('ClusterEvents', () => {
  it('fans out, survives a throwing listener and streams until aborted', async () => {
    const bus = new ClusterEvents();
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error('bad listener');
    });
    const off = bus.subscribe((e) => seen.push(e.message.Action ?? ''));
    const ctl = new AbortController();
    const got: string[] = [];
    const reader = (async () => {
      for await (const e of bus.stream(ctl.signal)) {
        got.push(e.message.Action ?? '');
        if (got.length === 2) ctl.abort();
      }
    })();
    await new Promise((r) => setImmediate(r));
    expect(bus.listenerCount).toBe(3);
    bus.emit({ message: swarmEvent('engine_connect', node, 0), engine: node, swarm: 'engine_connect' });
    bus.emit({ message: swarmEvent('engine_disconnect', node, 0), engine: node, swarm: 'engine_disconnect' });
    await reader;
    off();
    expect(seen).toEqual(['engine_connect', 'engine_disconnect']);
    expect(got).toEqual(['engine_connect', 'engine_disconnect']);
    expect(bus.listenerCount).toBe(1);
  });
});

describe('decodeJsonLines', () => {
  it('reassembles values split across chunks and skips junk', async () => {
    const enc = new TextEncoder();
    async function* chunks() {
      yield enc.encode('{"a":1}\n{"b"');
      yield enc.encode(':2}\nnot json\n');
      yield enc.encode('{"c":3}');
    }
    const out: unknown[] = [];
    await decodeJsonLines(chunks(), (v) => out.push(v));
    expect(out).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
  });
});
