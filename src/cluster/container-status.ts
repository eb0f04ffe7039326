import type { ContainerInspect, ContainerSummary } from './engine-types.js';

/** A duration as the engine words it in a container's status (`Less than a second`, `5 minutes`, `About an hour`). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

function since(t: unknown, nowMs: number): number | undefined {
  if (typeof t !== 'string' || t.startsWith('0001-')) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : Math.max(0, nowMs - ms);
}

/** The `Status` text of a container list entry for an inspected state, as the engine writes it (`Exited (0) 3 seconds ago`). */
export function statusText(state: ContainerInspect['State'], nowMs: number): string {
  const health = (state.Health as { Status?: string } | undefined)?.Status;
  const up = since(state.StartedAt, nowMs);
  if (state.Running) {
    if (state.Paused) return `Up ${humanDuration(up ?? 0)} (Paused)`;
    if (state.Restarting)
      return `Restarting (${Number(state.ExitCode ?? 0)}) ${humanDuration(since(state.FinishedAt, nowMs) ?? 0)} ago`;
    const h =
      health === 'starting' ? ' (health: starting)' : health && health !== 'none' ? ` (${health})` : '';
    return `Up ${humanDuration(up ?? 0)}${h}`;
  }
  if (state.Status === 'removing') return 'Removal In Progress';
  if (state.Dead || state.Status === 'dead') return 'Dead';
  if (up === undefined) return 'Created';
  const finished = since(state.FinishedAt, nowMs);
  if (finished === undefined) return '';
  return `Exited (${Number(state.ExitCode ?? 0)}) ${humanDuration(finished)} ago`;
}

/**
 * The list entry made consistent with the inspect document read with it. The engine updates the view its container
 * list is served from only after it has reported an exit (the `die` event) and while the container itself already
 * shows the new state, so a list entry read right after such an event can still say `running`; the inspected state
 * wins (returns a corrected copy; the same entry when both agree).
 */
export function reconcileSummary(
  summary: ContainerSummary,
  info: ContainerInspect,
  nowMs: number,
): ContainerSummary {
  const state = info.State?.Status;
  if (!state || state === summary.State) return summary;
  return { ...summary, State: state, Status: statusText(info.State, nowMs) };
}
