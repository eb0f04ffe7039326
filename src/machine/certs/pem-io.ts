import { readFile } from 'node:fs/promises';
import * as x509 from '@peculiar/x509';
import { writeFilesAtomic } from '../../host/atomic-write.js';
import { CertificateError } from '../errors.js';
import type { SigningCa } from './issue.js';
import { privateKeyFromPem } from './keys.js';

/** Reads and parses one PEM certificate. */
export async function readCert(path: string): Promise<x509.X509Certificate> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (err) {
    throw new CertificateError(`cannot read certificate ${path}`, { cause: err });
  }
  try {
    return new x509.X509Certificate(pem);
  } catch (err) {
    throw new CertificateError(`cannot parse certificate ${path}`, { cause: err });
  }
}

/** Loads a CA certificate and its private key for signing. */
export async function readCa(certPath: string, keyPath: string): Promise<SigningCa> {
  const cert = await readCert(certPath);
  let keyPem: string;
  try {
    keyPem = await readFile(keyPath, 'utf8');
  } catch (err) {
    throw new CertificateError(`cannot read CA key ${keyPath}`, { cause: err });
  }
  return { cert, key: await privateKeyFromPem(keyPem) };
}

/** Writes a certificate (0644) and its key (0600) together (see {@link writeFilesAtomic}), key first. */
export async function writePair(
  certPath: string,
  keyPath: string,
  certPem: string,
  keyPem: string,
): Promise<void> {
  await writeFilesAtomic([
    { path: keyPath, data: keyPem, mode: 0o600 },
    { path: certPath, data: certPem, mode: 0o644 },
  ]);
}

/** True when `cert` is outside its validity window at `now` (ms). */
export function isExpired(cert: x509.X509Certificate, now: number): boolean {
  return cert.notAfter.getTime() <= now || cert.notBefore.getTime() > now + 60_000;
}
