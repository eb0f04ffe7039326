import net from 'node:net';

/**
 * A TCP relay on loopback in front of one etcd member that can go silent: `silence()` stops relaying on every
 * connection without closing any, and new connections are accepted and then never answered, as with a member whose
 * host dropped off the network.
 */
export async function silenceableRelay(target: string): Promise<{
  endpoint: string;
  silence(): void;
  close(): Promise<void>;
}> {
  const [host, port] = [
    target.slice(0, target.lastIndexOf(':')),
    Number(target.slice(target.lastIndexOf(':') + 1)),
  ];
  const sockets = new Set<net.Socket>();
  const pairs: Array<[net.Socket, net.Socket]> = [];
  let silent = false;
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  };
  const server = net.createServer((client) => {
    track(client);
    if (silent) {
      client.pause();
      return;
    }
    const up = net.connect(port, host);
    track(up);
    client.pipe(up);
    up.pipe(client);
    pairs.push([client, up]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    silence: () => {
      silent = true;
      for (const [a, b] of pairs) {
        a.unpipe(b);
        b.unpipe(a);
        a.pause();
        b.pause();
      }
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
