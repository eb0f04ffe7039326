import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { InvalidArgumentError } from '../util/errors.js';
import type { ManageConfig } from './manage-flags.js';

/** The PEM files of `--tlscert`, `--tlskey` and `--tlscacert`, read and checked. */
export interface ManageTlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer | undefined;
}

/**
 * A file-system error worded as Go's `os` package words it (`open /x: no such file or directory`), the way Swarm's
 * messages quote it; any other error's message unchanged.
 */
export function goFileError(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const m = /^[A-Z]+: (.*?), (\w+) '(.*)'$/.exec(msg);
  return m ? `${m[2]} ${m[3]}: ${m[1]}` : msg;
}

/**
 * Reads the manager's TLS files with Swarm's texts for a failure: `Couldn't load X509 key pair (CERT, KEY): WHY.
 * Key encrypted?` when the certificate or key cannot be read or do not form a pair, `Couldn't read CA certificate:
 * WHY` when the CA file cannot be read.
 * @throws InvalidArgumentError with those texts
 */
export async function loadManageTls(tls: NonNullable<ManageConfig['tls']>): Promise<ManageTlsFiles> {
  let cert: Buffer;
  let key: Buffer;
  try {
    [cert, key] = await Promise.all([readFile(tls.cert), readFile(tls.key)]);
    createSecureContext({ cert, key });
  } catch (err) {
    throw new InvalidArgumentError(
      `Couldn't load X509 key pair (${tls.cert}, ${tls.key}): ${goFileError(err)}. Key encrypted?`,
      { cause: err },
    );
  }
  let ca: Buffer | undefined;
  if (tls.ca) {
    try {
      ca = await readFile(tls.ca);
    } catch (err) {
      throw new InvalidArgumentError(`Couldn't read CA certificate: ${goFileError(err)}`, { cause: err });
    }
  }
  return { cert, key, ca };
}
