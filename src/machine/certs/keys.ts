import 'reflect-metadata';
import { createPrivateKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { CertificateError } from '../errors.js';

/** Key algorithms shoal can issue with: ECDSA P-256 (default, fast) or RSA 2048 (docker-machine's choice). */
export type KeyAlgorithm = 'ecdsa-p256' | 'rsa-2048';

/** WebCrypto key types from node:crypto (the project compiles without the DOM lib). */
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;
type SigningAlgorithm = webcrypto.Algorithm | webcrypto.EcdsaParams;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ECDSA: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const RSA: webcrypto.RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
};

/** A fresh extractable key pair usable for signing certificates. */
export async function generateKeys(alg: KeyAlgorithm): Promise<CryptoKeyPair> {
  const params = alg === 'rsa-2048' ? RSA : ECDSA;
  return (await webcrypto.subtle.generateKey(params, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/**
 * PEM of a private key in the traditional formats Go and OpenSSL both read: `EC PRIVATE KEY` (SEC1) for ECDSA,
 * `RSA PRIVATE KEY` (PKCS#1) for RSA, as docker-machine writes them.
 */
export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const obj = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const type = obj.asymmetricKeyType === 'rsa' ? 'pkcs1' : 'sec1';
  return obj.export({ format: 'pem', type }).toString();
}

/** Parses a PEM private key (SEC1, PKCS#1 or PKCS#8) into a WebCrypto signing key. */
export async function privateKeyFromPem(pem: string): Promise<CryptoKey> {
  let obj: ReturnType<typeof createPrivateKey>;
  try {
    obj = createPrivateKey(pem);
  } catch (err) {
    throw new CertificateError('cannot parse private key PEM', { cause: err });
  }
  const der = obj.export({ format: 'der', type: 'pkcs8' });
  const params = obj.asymmetricKeyType === 'rsa' ? { name: RSA.name, hash: 'SHA-256' } : ECDSA;
  if (obj.asymmetricKeyType !== 'rsa' && obj.asymmetricKeyType !== 'ec') {
    throw new CertificateError(`unsupported private key type ${obj.asymmetricKeyType ?? 'unknown'}`);
  }
  return await webcrypto.subtle.importKey('pkcs8', der, params, true, ['sign']);
}

/** The signing algorithm matching a key (ECDSA with SHA-256, or RSA PKCS#1 v1.5 with SHA-256). */
export function signingAlgorithmFor(key: CryptoKey): SigningAlgorithm {
  return key.algorithm.name === 'ECDSA'
    ? { name: 'ECDSA', hash: 'SHA-256' }
    : { name: RSA.name, hash: 'SHA-256' };
}
