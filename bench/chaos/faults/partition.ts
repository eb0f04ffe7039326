/**
 * A host cut off the network: the bridge end of its veth pair is taken down for 8 s (the host's `eth1` loses its
 * carrier; its addresses and routes stay), then up again. Its engine, agent and (on a manager host) manager are
 * unreachable and cannot reach etcd meanwhile.
 */
import { run } from '../cluster.js';
import { choose, type Fault, type FaultContext, type Injected, sleep } from './fault.js';

const HOLD_MS = 8000;

async function link(veth: string, state: 'up' | 'down'): Promise<void> {
  const r = await run(['ip', 'link', 'set', 'dev', veth, state]);
  if (r.code !== 0) throw new Error(`ip link set ${veth} ${state}: ${r.stderr.trim()}`);
}

export const partitionHost: Fault = {
  kind: 'partition-host',
  description: "take a host's link down for 8 s, then up",
  async inject({ cluster, rng }: FaultContext): Promise<Injected> {
    const host = choose(
      rng,
      cluster.hosts.map((h) => h.name),
    );
    const veth = cluster.veth(host);
    await link(veth, 'down');
    await sleep(HOLD_MS);
    return { target: host, violations: [], notes: [], heal: () => link(veth, 'up') };
  },
};
