import type { EngineCache } from './engine-cache.js';
import type { EngineEvent } from './engine-types.js';

/** Container actions that do not change what the cache holds. */
const QUIET_CONTAINER_ACTIONS = new Set([
  'attach',
  'detach',
  'top',
  'resize',
  'export',
  'copy',
  'archive-path',
  'extract-to-dir',
  'commit',
]);

/**
 * Refreshes the part of an engine's cache an event touched (docs/behaviour/nodes.md#refresh): a container
 * event re-reads that container (`destroy` drops it; `create` of a container already cached reads nothing), image/network/volume events re-read that list, a daemon
 * `reload` re-reads everything. Exec and other quiet actions refresh nothing.
 */
export async function targetedRefresh(
  engine: { readonly cache: EngineCache; refresh(): Promise<void> },
  ev: EngineEvent,
): Promise<void> {
  const type = ev.Type ?? 'container';
  const action = ev.Action ?? ev.status ?? '';
  const id = ev.Actor?.ID ?? ev.id ?? '';
  switch (type) {
    case 'container': {
      if (!id || action.startsWith('exec_') || QUIET_CONTAINER_ACTIONS.has(action)) return;
      if (action === 'destroy') {
        engine.cache.removeContainer(id);
        return;
      }
      // A cached container is older than its create event says: the entry comes from a read made after the create
      // (or from the manager's own create, whose read follows at once). Later changes bring their own events.
      if (action === 'create' && engine.cache.container(id)) return;
      await engine.cache.refreshContainer(id);
      return;
    }
    case 'image':
      await engine.cache.refreshImages();
      return;
    case 'network': {
      // connect/disconnect change the container's NetworkSettings too
      const container = ev.Actor?.Attributes?.container;
      await Promise.all([
        engine.cache.refreshNetworks(),
        container ? engine.cache.refreshContainer(container) : Promise.resolve(undefined),
      ]);
      return;
    }
    case 'volume':
      await engine.cache.refreshVolumes();
      return;
    case 'daemon':
      if (action === 'reload') await engine.refresh();
      return;
    default:
      return;
  }
}
