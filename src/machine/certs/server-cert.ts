import { userInfo } from 'node:os';
import type { Clock } from '../../util/clock.js';
import { issueLeaf } from './issue.js';
import type { KeyAlgorithm } from './keys.js';
import { readCa, writePair } from './pem-io.js';

/** Arguments of {@link issueServerCert}. */
export interface IssueServerCertOptions {
  readonly caCertPath: string;
  readonly caKeyPath: string;
  /** The machine name; also the CN and a DNS SAN. */
  readonly commonName: string;
  /** IP SANs (the machine IP; 127.0.0.1 is always added). */
  readonly ips?: readonly string[];
  /** DNS SANs (`localhost` is always added) — `--tls-san` values go here or in `ips`, either works. */
  readonly dns?: readonly string[];
  /** Add EKU clientAuth (swarm masters: the manager reuses the server cert to reach engines). */
  readonly clientAuth?: boolean;
  readonly outCert: string;
  readonly outKey: string;
  /** Organisation, default `<user>.<commonName>` as docker-machine. */
  readonly organization?: string;
  readonly alg?: KeyAlgorithm;
  readonly clock?: Clock;
}

/**
 * Issues an engine (server) certificate signed by the store CA, EKU serverAuth (+ clientAuth when asked), with SANs
 * = commonName + `localhost` + `127.0.0.1` + `ips` + `dns`; writes the key (0600) and certificate atomically.
 */
export async function issueServerCert(o: IssueServerCertOptions): Promise<void> {
  const ca = await readCa(o.caCertPath, o.caKeyPath);
  let user = 'shoal';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry: keep the default organisation prefix
  }
  const leaf = await issueLeaf(ca, {
    organization: o.organization ?? `${user}.${o.commonName}`,
    commonName: o.commonName,
    serverAuth: true,
    clientAuth: o.clientAuth ?? false,
    hosts: [...(o.ips ?? []), '127.0.0.1', o.commonName, 'localhost', ...(o.dns ?? [])],
    alg: o.alg,
    clock: o.clock,
  });
  await writePair(o.outCert, o.outKey, leaf.certPem, leaf.keyPem);
}
