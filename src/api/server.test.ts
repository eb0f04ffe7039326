import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { DockerPortInUseError } from './errors.js';
import { rebuildRequestHead } from './hijack.js';
import { type ApiHandler, ApiServer, listenError, parseListenHost } from './server.js';

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
    ['http://1.2.3.4:2375', 'unsupported protocol: "http" (in host "http://1.2.3.4:2375"'],
    ['udp://1.2.3.4:2375', 'unsupported protocol: "udp"'],
    ['1.2.3.4', 'Invalid bind address format'],
    ['1.2.3.4:99999', 'Invalid bind address format'],
    ['unix://', 'invalid unix socket address'],
  ])('rejects %s', (text, message) => {
    expect(() => parseListenHost(text)).toThrow(message);
  });
});

describe('listenError', () => {
  const inUse = Object.assign(new Error('listen EADDRINUSE: address already in use 0.0.0.0:2375'), {
    code: 'EADDRINUSE',
  });
  it('names Docker for a taken port 2375, as Swarm did', () => {
    const err = listenError(inUse, '0.0.0.0:2375');
    expect(err).toBeInstanceOf(DockerPortInUseError);
    expect(err.message).toBe(
      '0.0.0.0:2375: is Docker already running on this machine? Try using a different port',
    );
    expect(err.cause).toBe(inUse);
  });
  it('keeps the listen error for another port or another failure', () => {
    expect(listenError(inUse, '127.0.0.1:3376')).toBe(inUse);
    const denied = Object.assign(new Error('listen EACCES'), { code: 'EACCES' });
    expect(listenError(denied, '0.0.0.0:2375')).toBe(denied);
  });
  it('is what listen rejects with when the address is taken', async () => {
    const first = new ApiServer({ onRequest: () => undefined, onUpgrade: () => undefined });
    const second = new ApiServer({ onRequest: () => undefined, onUpgrade: () => undefined });
    try {
      const [addr] = await first.listen([{ kind: 'tcp', host: '127.0.0.1', port: 0 }]);
      const port = Number(addr?.split(':').pop());
      const err = await second
        .listen([{ kind: 'tcp', host: '127.0.0.1', port }])
        .catch((e: unknown) => e as NodeJS.ErrnoException);
      expect((err as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
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

describe('ApiServer listener', () => {
  // A handler that answers every request after reading its body, and every upgrade with a 404.
  const handler: ApiHandler = {
    onRequest(req, res) {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{}');
      });
    },
    onUpgrade(_req, socket) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    },
  };

  function raw(port: number, bytes: string): Promise<string> {
    return new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      let out = '';
      s.on('data', (b: Buffer) => {
        out += b.toString('latin1');
      });
      s.on('close', () => resolve(out));
      s.on('error', () => resolve(out));
      s.write(bytes);
      setTimeout(() => s.destroy(), 2000);
    });
  }

  it.each([
    [
      'broken chunked encoding',
      'POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      '400 Bad Request',
      /malformed HTTP request: HPE_INVALID_CHUNK_SIZE/,
    ],
    ['not HTTP', '\x16\x03\x01 hello\r\n\r\n', '400 Bad Request', /malformed HTTP request/],
    [
      'oversized headers',
      `GET /x HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`,
      '431 Request Header Fields Too Large',
      /request header fields too large/,
    ],
  ])('answers %s with an Engine-style error', async (_name, bytes, statusLine, message) => {
    const server = new ApiServer(handler);
    const [addr] = await server.listen([{ kind: 'tcp', host: '127.0.0.1', port: 0 }]);
    try {
      const answer = await raw(Number(addr?.split(':').pop()), bytes);
      expect(answer.split('\r\n')[0]).toBe(`HTTP/1.1 ${statusLine}`);
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { message: string };
      expect(body.message).toMatch(message);
    } finally {
      await server.close();
    }
  });

  it('answers a malformed request that follows a finished one on the same connection', async () => {
    const server = new ApiServer(handler);
    const [addr] = await server.listen([{ kind: 'tcp', host: '127.0.0.1', port: 0 }]);
    try {
      // the second request goes once the first answer came, as a keep-alive client reuses its connection
      const answer = await new Promise<string>((resolve) => {
        const s = net.connect(Number(addr?.split(':').pop()), '127.0.0.1');
        let out = '';
        s.on('data', (b: Buffer) => {
          const first = out === '';
          out += b.toString('latin1');
          if (first) s.write('GET /networks/zz\xe9 HTTP/1.1\r\nHost: a\r\n\r\n', 'latin1');
        });
        s.on('close', () => resolve(out));
        s.on('error', () => resolve(out));
        s.write('GET /a HTTP/1.1\r\nHost: a\r\n\r\n');
        setTimeout(() => s.destroy(), 2000);
      });
      const lines = answer.split('\r\n').filter((l) => l.startsWith('HTTP/1.1 '));
      expect(lines).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 400 Bad Request']);
      expect(answer).toContain('malformed HTTP request: HPE_INVALID_URL');
    } finally {
      await server.close();
    }
  });

  it('answers a refused HEAD request without a body', async () => {
    const server = new ApiServer(handler);
    const [addr] = await server.listen([{ kind: 'tcp', host: '127.0.0.1', port: 0 }]);
    try {
      const answer = await raw(Number(addr?.split(':').pop()), 'HEAD /a\xe9 HTTP/1.1\r\nHost: a\r\n\r\n');
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
      expect(answer.endsWith('\r\n\r\n')).toBe(true);
    } finally {
      await server.close();
    }
  });
});
