import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { rebuildRequestHead } from './hijack.js';
import { parseListenHost } from './server.js';

describe('parseListenHost', () => {
  it.each([
    ['tcp://127.0.0.1:2375', { kind: 'tcp', host: '127.0.0.1', port: 2375 }],
    ['127.0.0.1:3376', { kind: 'tcp', host: '127.0.0.1', port: 3376 }],
    [':2375', { kind: 'tcp', host: '0.0.0.0', port: 2375 }],
    ['tcp://[::1]:2375', { kind: 'tcp', host: '::1', port: 2375 }],
    ['unix:///run/shoal.sock', { kind: 'unix', path: '/run/shoal.sock' }],
  ])('%s', (text, want) => {
    expect(parseListenHost(text)).toEqual(want);
  });
  it.each([
    ['http://1.2.3.4:2375', 'Invalid protocol'],
    ['1.2.3.4', 'Invalid bind address format'],
    ['1.2.3.4:99999', 'Invalid bind address format'],
    ['unix://', 'invalid unix socket address'],
  ])('rejects %s', (text, message) => {
    expect(() => parseListenHost(text)).toThrow(message);
  });
});

describe('rebuildRequestHead', () => {
  it('keeps method, headers and their case, rewrites path and Host', () => {
    const req = {
      method: 'POST',
      rawHeaders: [
        'Host',
        '127.0.0.1:2375',
        'Connection',
        'Upgrade',
        'Upgrade',
        'tcp',
        'Content-Type',
        'text/plain',
      ],
    } as unknown as IncomingMessage;
    expect(rebuildRequestHead(req, '/v1.41/containers/abc/attach?stream=1', '10.0.0.2:2376')).toBe(
      'POST /v1.41/containers/abc/attach?stream=1 HTTP/1.1\r\nHost: 10.0.0.2:2376\r\nConnection: Upgrade\r\n' +
        'Upgrade: tcp\r\nContent-Type: text/plain\r\n\r\n',
    );
  });
});
