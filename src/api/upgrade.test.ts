import type { IncomingMessage } from 'node:http';
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fakeCluster, fakeDeps, fakeNode } from '../testkit/fake-cluster.js';
import { handleUpgrade } from './upgrade.js';

/** Runs one upgrade request through {@link handleUpgrade}; resolves to what was written back on the socket. */
function upgrade(url: string, headers: Record<string, string>): Promise<string> {
  let out = '';
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  });
  const deps = fakeDeps(fakeCluster([fakeNode({ name: 'n1' })]));
  const done = new Promise<string>((resolve) => socket.on('finish', () => resolve(out)));
  handleUpgrade(
    { method: 'POST', url, headers } as unknown as IncomingMessage,
    socket,
    Buffer.alloc(0),
    deps,
  );
  return done;
}

describe('handleUpgrade', () => {
  it("answers a BuildKit session without its ID with Swarm's 400", async () => {
    const answer = await upgrade('/v1.41/session', { upgrade: 'h2c', connection: 'Upgrade' });
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(answer.slice(answer.indexOf('\r\n\r\n') + 4)).toBe('{"message":"no session ID provided"}\n');
  });

  it('answers 404 for a session with an ID and for any other upgrade', async () => {
    for (const [url, headers] of [
      ['/session', { upgrade: 'h2c', 'x-docker-expose-session-uuid': 's1' }],
      ['/v1.41/containers/json', { upgrade: 'tcp' }],
    ] as const) {
      expect((await upgrade(url, headers)).split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found');
    }
  });
});
