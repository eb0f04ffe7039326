import type { Route } from '../context.js';
import { buildRoutes } from './build.js';
import { containerRoutes } from './containers.js';
import { execRoutes } from './exec.js';
import { imageRoutes } from './images.js';
import { networkRoutes } from './networks.js';
import { nodeRoutes } from './nodes.js';
import { placementRoutes } from './placements.js';
import { systemRoutes } from './system.js';
import { volumeRoutes } from './volumes.js';

/**
 * Every route of the manager's Docker API. Anything absent answers 404 from the router, which is how Swarm refused
 * swarm-mode (`/swarm`, `/services`, `/tasks`, `/secrets`, `/configs`), `/plugins`, `/system/df`,
 * `*\/prune`, `/distribution` and checkpoints (docs/behaviour/api.md#not-served); of Swarm mode's node endpoints,
 * the ones node availability needs are served (docs/behaviour/rescheduling.md#availability). `extra` adds modules owned
 * elsewhere (discovery registration).
 */
export function allRoutes(extra: readonly Route[] = []): Route[] {
  return [
    ...systemRoutes(),
    ...containerRoutes(),
    ...execRoutes(),
    ...imageRoutes(),
    ...networkRoutes(),
    ...volumeRoutes(),
    ...nodeRoutes(),
    ...buildRoutes(),
    ...placementRoutes(),
    ...extra,
  ];
}
