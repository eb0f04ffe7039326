/** shoal's version, as `docker info` (`shoal/<version>`) and `--version` print it. */
export const SHOAL_VERSION = '0.1.0';
