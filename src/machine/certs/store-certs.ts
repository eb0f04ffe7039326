import { access, chmod, mkdir, rm } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../util/clock.js';
import { systemClock } from '../../util/clock.js';
import { CertificateError } from '../errors.js';
import { createCa, issueLeaf } from './issue.js';
import type { KeyAlgorithm } from './keys.js';
import { isExpired, readCa, readCert, writePair } from './pem-io.js';

/** Paths of a store's shared TLS material (docker-machine's `certs/` folder). */
export interface StoreCertPaths {
  readonly certDir: string;
  readonly caCertPath: string;
  readonly caKeyPath: string;
  readonly clientCertPath: string;
  readonly clientKeyPath: string;
}

/** Options for {@link ensureStoreCerts}. */
export interface StoreCertOptions {
  readonly alg?: KeyAlgorithm;
  readonly clock?: Clock;
  /** Organisation of the CA (default: the current user name, as docker-machine). */
  readonly organization?: string;
  /** Receives "Creating CA: ..." lines. */
  readonly progress?: (line: string) => void;
}

/** The standard file names inside `certDir`. */
export function storeCertPaths(certDir: string): StoreCertPaths {
  return {
    certDir,
    caCertPath: join(certDir, 'ca.pem'),
    caKeyPath: join(certDir, 'ca-key.pem'),
    clientCertPath: join(certDir, 'cert.pem'),
    clientKeyPath: join(certDir, 'key.pem'),
  };
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

function defaultOrg(): string {
  try {
    return userInfo().username;
  } catch {
    return 'shoal';
  }
}

/**
 * Makes sure `certDir` (0700) holds a valid CA (`ca.pem`, `ca-key.pem`) and a client certificate (`cert.pem`,
 * `key.pem`, EKU clientAuth) signed by it. Missing or expired ones are (re)created; an existing valid CA is never
 * touched. A CA key without its certificate is refused rather than overwritten. Idempotent and cheap when all is
 * in place. Returns the paths.
 */
export async function ensureStoreCerts(
  certDir: string,
  opts: StoreCertOptions = {},
): Promise<StoreCertPaths> {
  const paths = storeCertPaths(certDir);
  const clock = opts.clock ?? systemClock;
  const org = opts.organization ?? defaultOrg();
  await mkdir(certDir, { recursive: true, mode: 0o700 });
  await chmod(certDir, 0o700);

  let caFresh = false;
  const haveCa = await exists(paths.caCertPath);
  const haveCaKey = await exists(paths.caKeyPath);
  if (!haveCa && haveCaKey) {
    throw new CertificateError(
      `CA key ${paths.caKeyPath} exists without ${paths.caCertPath}; refusing to overwrite it`,
    );
  }
  if (!haveCa || isExpired(await readCert(paths.caCertPath), clock.now())) {
    opts.progress?.(`Creating CA: ${paths.caCertPath}`);
    const ca = await createCa({ organization: org, alg: opts.alg, clock });
    await writePair(paths.caCertPath, paths.caKeyPath, ca.certPem, ca.keyPem);
    caFresh = true;
  }

  let needClient = caFresh || !(await exists(paths.clientCertPath)) || !(await exists(paths.clientKeyPath));
  if (!needClient) {
    const client = await readCert(paths.clientCertPath);
    const ca = await readCert(paths.caCertPath);
    needClient =
      isExpired(client, clock.now()) ||
      !(await client.verify({ publicKey: ca.publicKey, signatureOnly: true }));
  }
  if (needClient) {
    opts.progress?.(`Creating client certificate: ${paths.clientCertPath}`);
    const ca = await readCa(paths.caCertPath, paths.caKeyPath);
    const leaf = await issueLeaf(ca, {
      organization: `${org}.<bootstrap>`,
      serverAuth: false,
      clientAuth: true,
      alg: opts.alg,
      clock,
    });
    await writePair(paths.clientCertPath, paths.clientKeyPath, leaf.certPem, leaf.keyPem);
  }
  return paths;
}

/**
 * Replaces the store's CA and client certificate with new ones (`regenerate-certs --client-certs`). Every machine's
 * server certificate must be re-issued afterwards.
 */
export async function regenerateStoreCerts(
  certDir: string,
  opts: StoreCertOptions = {},
): Promise<StoreCertPaths> {
  const paths = storeCertPaths(certDir);
  for (const p of [paths.caCertPath, paths.caKeyPath, paths.clientCertPath, paths.clientKeyPath]) {
    await rm(p, { force: true });
  }
  return ensureStoreCerts(certDir, opts);
}
