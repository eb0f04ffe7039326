export {
  CERT_VALIDITY_DAYS,
  createCa,
  issueLeaf,
  type LeafSpec,
  type PemPair,
  type SigningCa,
} from './issue.js';
export type { KeyAlgorithm } from './keys.js';
export { readCa, readCert } from './pem-io.js';
export { type IssueServerCertOptions, issueServerCert } from './server-cert.js';
export {
  ensureStoreCerts,
  regenerateStoreCerts,
  type StoreCertOptions,
  type StoreCertPaths,
  storeCertPaths,
} from './store-certs.js';
