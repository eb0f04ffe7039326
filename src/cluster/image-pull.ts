import type { EngineClient } from '../engine/engine-client.js';
import { engineError } from '../engine/errors.js';
import { decodeJsonLines } from './engine-events.js';

/** Splits an image reference into `fromImage` and `tag` for `POST /images/create`. */
export function pullParams(image: string): { fromImage: string; tag?: string } {
  if (image.includes('@')) return { fromImage: image };
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  if (colon > slash) return { fromImage: image.slice(0, colon), tag: image.slice(colon + 1) };
  return { fromImage: image, tag: 'latest' };
}

/**
 * Pulls an image on one engine and waits for the end of the progress stream. A refused pull throws the engine
 * client's typed error; an `error` entry in the stream (how the engine reports a failed pull after answering 200)
 * is typed the same way: `EnginePullDeniedError` when the registry has no such image or denies it, else
 * `EngineServerError`.
 */
export async function pullImage(client: EngineClient, image: string, registryAuth?: string): Promise<void> {
  const headers: Record<string, string> = {};
  if (registryAuth) headers['x-registry-auth'] = registryAuth;
  const body = await client.stream('POST', '/images/create', { query: pullParams(image), headers });
  let failure: string | undefined;
  await decodeJsonLines(body, (v) => {
    const m = v as { error?: string; errorDetail?: { message?: string } };
    if (m.error || m.errorDetail?.message) failure = m.errorDetail?.message ?? m.error;
  });
  if (failure) throw engineError(0, failure, 'pull');
}
