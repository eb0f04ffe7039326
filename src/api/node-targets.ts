import { InvalidSwarmLabelError, lenientJson, SWARM_LABELS } from '../scheduler/index.js';
import { ClusterError } from '../util/errors.js';
import type { ApiNode } from './cluster-port.js';

/** No healthy node passes a volume's whitelist (Swarm's text, 500). */
export class WhitelistUnsatisfiedError extends ClusterError {
  override readonly code: string = 'WHITELIST_UNSATISFIED';
  constructor(whitelist: string) {
    super(`unable to find a node that satisfies the whitelist ${whitelist}`);
  }
}

/**
 * The nodes a volume create without a node prefix goes to, as Swarm placed it: every healthy node, or with a
 * `com.docker.swarm.whitelists` label (`["node==n1|n2"]`, read leniently like container labels) exactly the nodes
 * named by every whitelist entry. Key and operator are ignored, as Swarm's whitelist filter does.
 * @throws InvalidSwarmLabelError for a label that is not a JSON list of strings; WhitelistUnsatisfiedError when no
 *   healthy node is whitelisted.
 */
export function volumeTargets(
  nodes: readonly ApiNode[],
  labels: Readonly<Record<string, unknown>> | null | undefined,
): ApiNode[] {
  const raw = labels?.[SWARM_LABELS.whitelists];
  if (typeof raw !== 'string') return [...nodes];
  let list: unknown;
  try {
    list = JSON.parse(lenientJson(raw));
  } catch (err) {
    throw new InvalidSwarmLabelError(
      `invalid label ${SWARM_LABELS.whitelists}: expected a JSON array of strings`,
      {
        cause: err,
      },
    );
  }
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
    throw new InvalidSwarmLabelError(
      `invalid label ${SWARM_LABELS.whitelists}: expected a JSON array of strings`,
    );
  }
  const names = (list as string[]).map((e) => {
    const m = /^[^=!]*(?:==|!=)~?(.*)$/.exec(e);
    return (m?.[1] ?? e).split('|');
  });
  const out = nodes.filter((n) => names.every((allowed) => allowed.includes(n.name)));
  if (out.length === 0) throw new WhitelistUnsatisfiedError(list.join(' '));
  return out;
}
