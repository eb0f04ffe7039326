import { parseDuration } from '../util/duration.js';
import { InvalidDiscoveryError } from './errors.js';
import { validateHostPort } from './ranges.js';

/** Classic Swarm's defaults for `--heartbeat` and `--ttl` (join), in ms. */
export const DEFAULT_HEARTBEAT_MS = 60_000;
export const DEFAULT_TTL_MS = 180_000;

function duration(flag: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new InvalidDiscoveryError(`invalid --${flag}: time: invalid duration "${text}"`, {
      cause: err,
    });
  }
}

/**
 * Parses `--heartbeat` (Go duration; a bare integer is seconds).
 * @throws InvalidDiscoveryError when unparsable or below 1s.
 */
export function parseHeartbeat(text: string): number {
  const ms = duration('heartbeat', text);
  if (ms < 1000) throw new InvalidDiscoveryError(`--heartbeat should be at least one second (got ${text})`);
  return ms;
}

/**
 * Parses `--ttl`, which must be strictly greater than the heartbeat.
 * @throws InvalidDiscoveryError when unparsable or not above `heartbeatMs`.
 */
export function parseTtl(text: string, heartbeatMs: number): number {
  const ms = duration('ttl', text);
  if (ms <= heartbeatMs) {
    throw new InvalidDiscoveryError(
      `--ttl must be strictly superior to the heartbeat value (got ttl ${text})`,
    );
  }
  return ms;
}

/**
 * Parses `--delay` (≥ 0).
 * @throws InvalidDiscoveryError when unparsable or negative.
 */
export function parseDelay(text: string): number {
  const ms = duration('delay', text);
  if (ms < 0) throw new InvalidDiscoveryError(`--delay should not be a negative number (got ${text})`);
  return ms;
}

/**
 * Parses `--timeout` for `shoal list` (> 0).
 * @throws InvalidDiscoveryError when unparsable or not positive.
 */
export function parseListTimeout(text: string): number {
  const ms = duration('timeout', text);
  if (ms <= 0) throw new InvalidDiscoveryError(`--timeout should be a positive number (got ${text})`);
  return ms;
}

/**
 * Turns repeated `--discovery-opt key=value` flags into a record (later keys win).
 * @throws InvalidDiscoveryError on an item without `=` or with an empty key.
 */
export function parseDiscoveryOpts(items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0)
      throw new InvalidDiscoveryError(`--discovery-opt must contain key=value strings (got "${item}")`);
    out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return out;
}

/** A commander collector for repeatable flags (`--discovery-opt a=1 --discovery-opt b=2`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Validates `--advertise` / `--addr` (`host:port`, port 1..65535); falls back to `$SWARM_ADVERTISE`.
 * @throws InvalidDiscoveryError when missing or malformed.
 */
export function parseAdvertise(text: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const value = text ?? env.SWARM_ADVERTISE;
  if (!value) throw new InvalidDiscoveryError('missing mandatory --advertise flag (or SWARM_ADVERTISE)');
  try {
    return validateHostPort(value, '--advertise address');
  } catch (err) {
    throw new InvalidDiscoveryError(
      `--advertise should be of the form ip:port or hostname:port (got "${value}")`,
      { cause: err },
    );
  }
}

/**
 * Picks the discovery URL from the argument or `$SWARM_DISCOVERY`.
 * @throws InvalidDiscoveryError naming the command when neither is given.
 */
export function resolveDiscoveryUrl(
  arg: string | undefined,
  command: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const value = arg ?? env.SWARM_DISCOVERY;
  if (!value) {
    throw new InvalidDiscoveryError(
      `discovery required to ${command} a cluster. See 'shoal ${command} --help'.`,
    );
  }
  return value;
}
