import { join } from 'node:path';

/** shoal's OpenSSL settings, relative to the app root: no TLS 1.3 session tickets from its servers. */
export const OPENSSL_CONFIG = 'etc/openssl.cnf';

/**
 * The node flags a shoal process runs with, for an app installed at `root`: what `./shoal` and the shoal image's
 * entry point pass, and what tests and benchmarks that start `dist/cli/main.js` directly pass too.
 */
export function shoalNodeFlags(root: string): string[] {
  return [`--openssl-config=${join(root, OPENSSL_CONFIG)}`];
}
