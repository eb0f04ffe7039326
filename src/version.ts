/** shoal's version, as `--version` prints it and the shoal image is tagged. */
export const SHOAL_VERSION = '0.1.0';

/** The classic Swarm release whose API and behaviour shoal implements. */
export const SWARM_LEVEL = '1.2.9';

/**
 * The server version a manager reports in `/version` and `/info` (`docker version`, `docker info`): it starts with
 * `swarm/`, which tools and scripts use to detect classic Swarm, and names shoal, e.g. `swarm/1.2.9 (shoal 0.1.0)`.
 */
export function serverVersion(shoal: string = SHOAL_VERSION): string {
  return `swarm/${SWARM_LEVEL} (shoal ${shoal})`;
}
