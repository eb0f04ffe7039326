import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';
import type { Clock } from '../../util/clock.js';
import { systemClock } from '../../util/clock.js';
import {
  type CryptoKey,
  generateKeys,
  type KeyAlgorithm,
  privateKeyToPem,
  signingAlgorithmFor,
} from './keys.js';

/** Validity of every issued certificate, as docker-machine: 1080 days from not-before. */
export const CERT_VALIDITY_DAYS = 1080;

/** A certificate and its private key, both PEM. */
export interface PemPair {
  readonly certPem: string;
  readonly keyPem: string;
}

/** The CA used to sign: its certificate (PEM) and its private signing key. */
export interface SigningCa {
  readonly cert: x509.X509Certificate;
  readonly key: CryptoKey;
}

/** What a leaf certificate is for. */
export interface LeafSpec {
  readonly organization: string;
  readonly commonName?: string;
  readonly serverAuth: boolean;
  readonly clientAuth: boolean;
  /** SANs: IP literals become IP SANs, everything else DNS SANs. Duplicates are dropped. */
  readonly hosts?: readonly string[];
  readonly alg?: KeyAlgorithm;
  readonly clock?: Clock;
}

/** Not-before = now − 5 min, truncated to the minute; not-after = +1080 days (docker-machine's rule). */
export function validityWindow(clock: Clock = systemClock): { notBefore: Date; notAfter: Date } {
  const nb = Math.floor((clock.now() - 5 * 60_000) / 60_000) * 60_000;
  return { notBefore: new Date(nb), notAfter: new Date(nb + CERT_VALIDITY_DAYS * 86_400_000) };
}

/** A random positive 128-bit serial number, hex. */
export function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = ((b[0] ?? 0) & 0x7f) | 0x01;
  return b.toString('hex');
}

function escapeDn(v: string): string {
  return v.replace(/([,+"\\<>;=])/g, '\\$1');
}

function subject(org: string, cn?: string): string {
  return cn ? `O=${escapeDn(org)}, CN=${escapeDn(cn)}` : `O=${escapeDn(org)}`;
}

/** Creates a self-signed CA (IsCA, key usage digitalSignature + keyEncipherment + keyAgreement + certSign). */
export async function createCa(opts: {
  organization: string;
  alg?: KeyAlgorithm;
  clock?: Clock;
}): Promise<PemPair & SigningCa> {
  const keys = await generateKeys(opts.alg ?? 'ecdsa-p256');
  const { notBefore, notAfter } = validityWindow(opts.clock);
  const KU = x509.KeyUsageFlags;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: subject(opts.organization),
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: signingAlgorithmFor(keys.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        KU.digitalSignature | KU.keyEncipherment | KU.keyAgreement | KU.keyCertSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    cert,
    key: keys.privateKey,
    certPem: cert.toString('pem'),
    keyPem: await privateKeyToPem(keys.privateKey),
  };
}

/** Issues a leaf certificate signed by `ca` with the EKUs and SANs of `spec`. */
export async function issueLeaf(ca: SigningCa, spec: LeafSpec): Promise<PemPair> {
  const keys = await generateKeys(spec.alg ?? 'ecdsa-p256');
  const { notBefore, notAfter } = validityWindow(spec.clock);
  const KU = x509.KeyUsageFlags;
  const usages: string[] = [];
  if (spec.serverAuth) usages.push(x509.ExtendedKeyUsage.serverAuth);
  if (spec.clientAuth) usages.push(x509.ExtendedKeyUsage.clientAuth);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      spec.serverAuth ? KU.digitalSignature | KU.keyEncipherment | KU.keyAgreement : KU.digitalSignature,
      true,
    ),
    new x509.ExtendedKeyUsageExtension(usages, false),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
  ];
  const hosts = [...new Set(spec.hosts ?? [])].filter((h) => h !== '');
  if (hosts.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        hosts.map((h) => (isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h })),
        false,
      ),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: subject(spec.organization, spec.commonName),
    issuer: ca.cert.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: signingAlgorithmFor(ca.key),
    extensions,
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyToPem(keys.privateKey) };
}
