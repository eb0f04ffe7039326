import { createServer } from 'node:net';

/**
 * Finds a free TCP port on `host` (loopback by default) by listening on port 0. The port may be taken again before
 * the caller binds it, so a caller that starts a server on it should retry once on "address already in use".
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
