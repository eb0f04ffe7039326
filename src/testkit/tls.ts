import 'reflect-metadata';
import { createCa, issueLeaf } from '../machine/certs/index.js';

/** PEM material of a throwaway CA with one server certificate (for 127.0.0.1) and one client certificate. */
export interface TestTls {
  readonly ca: string;
  readonly server: { readonly cert: string; readonly key: string };
  readonly client: { readonly cert: string; readonly key: string };
}

/** Makes a fresh CA, a server certificate for `hosts` (default 127.0.0.1) and a client certificate, in memory. */
export async function testTls(hosts: readonly string[] = ['127.0.0.1']): Promise<TestTls> {
  const ca = await createCa({ organization: 'shoal-test' });
  const [server, client] = await Promise.all([
    issueLeaf(ca, {
      organization: 'shoal-test',
      commonName: 'server',
      serverAuth: true,
      clientAuth: false,
      hosts,
    }),
    issueLeaf(ca, { organization: 'shoal-test', commonName: 'client', serverAuth: false, clientAuth: true }),
  ]);
  return {
    ca: ca.certPem,
    server: { cert: server.certPem, key: server.keyPem },
    client: { cert: client.certPem, key: client.keyPem },
  };
}
