import { join } from 'node:path';

/** shoal's OpenSSL settings, relative to the app root: no TLS 1.3 session tickets from its servers. */
export const OPENSSL_CONFIG = 'etc/openssl.cnf';

/**
 * V8's young generation: semi-spaces of up to 32 MB (Node's default is 16). A manager allocates a lot of short-lived
 * data per engine answer; with the default, much of it outlived two scavenges, was promoted and then collected by
 * full collections over the whole heap. In interleaved `bench:throughput` runs on one machine the manager's CPU per
 * create+start at 1,000 engines was 3.3-3.4 ms with it against 3.7-3.9 ms without (README, scale). The space only
 * grows when a process allocates that much, so short CLI commands are unaffected.
 */
export const SEMI_SPACE_FLAG = '--max-semi-space-size=32';

/**
 * The node flags a shoal process runs with, for an app installed at `root`: what `./shoal` and the shoal image's
 * entry point pass, and what tests and benchmarks that start `dist/cli/main.js` directly pass too.
 */
export function shoalNodeFlags(root: string): string[] {
  return [`--openssl-config=${join(root, OPENSSL_CONFIG)}`, SEMI_SPACE_FLAG];
}
