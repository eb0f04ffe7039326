/**
 * The root-namespace side of netns machines: the shared bridge (gateway address, FORWARD rules) and each
 * machine's veth pair, whose namespace end is called `eth1` as on the tutorial's VirtualBox hosts.
 */
import { run } from '../../../host/run.js';
import { dropLeaseDir, isBridgeOwned, leaseCount, markBridgeOwned } from './leases.js';
import type { Subnet } from './subnet.js';

/** The FORWARD rule that lets bridged traffic between machines through when dockerd set the policy to DROP. */
export function forwardRule(bridge: string): string[] {
  return ['FORWARD', '-i', bridge, '-o', bridge, '-j', 'ACCEPT'];
}

/**
 * The FORWARD rule that keeps machines on their bridge: anything they send to an address outside it (the box's DNS
 * resolver, a registry on the internet) is rejected at once instead of being routed out of the box. Besides keeping
 * traffic local, it makes lookups fail fast (dockerd resolves `docker.io` before trying a registry mirror).
 */
export function isolationRule(bridge: string): string[] {
  return ['FORWARD', '-i', bridge, '!', '-o', bridge, '-j', 'REJECT'];
}

/** Both FORWARD rules of a bridge, in the order they are inserted at the top of the chain. */
export function bridgeRules(bridge: string): string[][] {
  return [isolationRule(bridge), forwardRule(bridge)];
}

/** True when the interface exists in the root namespace. */
export async function linkExists(name: string): Promise<boolean> {
  return (await run(['ip', 'link', 'show', 'dev', name], { allowFail: true })).code === 0;
}

/**
 * Makes sure `bridge` exists, is up, carries the subnet's gateway address and has its FORWARD ACCEPT rule. A bridge
 * made here is marked as shoal's, so {@link releaseBridge} deletes it with its last machine.
 */
export async function ensureBridge(bridge: string, subnet: Subnet): Promise<void> {
  if (!(await linkExists(bridge))) {
    // Marked first: a process killed right after making the bridge still leaves it to the last machine's removal.
    await markBridgeOwned(bridge);
    const made = await run(['ip', 'link', 'add', bridge, 'type', 'bridge'], { allowFail: true });
    if (made.code !== 0 && !(await linkExists(bridge))) {
      await run(['ip', 'link', 'add', bridge, 'type', 'bridge']);
    }
  }
  await run(['ip', 'addr', 'replace', `${subnet.gateway}/${subnet.prefixLength}`, 'dev', bridge]);
  await run(['ip', 'link', 'set', bridge, 'up']);
  for (const rule of bridgeRules(bridge)) {
    if ((await run(['iptables', '-C', ...rule], { allowFail: true })).code !== 0) {
      await run(['iptables', '-I', rule[0]!, '1', ...rule.slice(1)]);
    }
  }
}

/** Deletes `bridge` and its rule when no machine uses it any more and shoal made it. Idempotent. */
export async function releaseBridge(bridge: string): Promise<void> {
  if ((await leaseCount(bridge)) > 0) return;
  if (await isBridgeOwned(bridge)) {
    await run(['ip', 'link', 'delete', bridge, 'type', 'bridge'], { allowFail: true });
  }
  for (const rule of bridgeRules(bridge)) {
    while ((await run(['iptables', '-C', ...rule], { allowFail: true })).code === 0) {
      await run(['iptables', '-D', ...rule]);
    }
  }
  await dropLeaseDir(bridge);
}

/** Where a machine plugs into the bridge. */
export interface VethSpec {
  readonly ns: string;
  readonly bridge: string;
  readonly subnet: Subnet;
  readonly ip: string;
  /** Root-namespace end. */
  readonly veth: string;
  /** Temporary name of the namespace end. */
  readonly peer: string;
}

/**
 * The MAC address of a machine's `eth1`: locally administered `02:5e:` + the four address bytes. A machine made
 * again with the same address (after a reboot) keeps its MAC, so its neighbours' ARP caches stay right.
 */
export function macFor(ip: string): string {
  const bytes = ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0'));
  return ['02', '5e', ...bytes].join(':');
}

/** Creates the veth pair, moves one end into the namespace as `eth1` with the address and default route. */
export async function plugVeth(s: VethSpec): Promise<void> {
  await run(['ip', 'link', 'add', s.veth, 'type', 'veth', 'peer', 'name', s.peer]);
  try {
    await run(['ip', 'link', 'set', s.peer, 'netns', s.ns]);
    const inNs = (args: string[]) => run(['ip', '-n', s.ns, ...args]);
    await inNs(['link', 'set', s.peer, 'name', 'eth1', 'address', macFor(s.ip)]);
    await inNs(['addr', 'add', `${s.ip}/${s.subnet.prefixLength}`, 'dev', 'eth1']);
    await inNs(['link', 'set', 'eth1', 'up']);
    await inNs(['route', 'add', 'default', 'via', s.subnet.gateway]);
    await run(['ip', 'link', 'set', s.veth, 'master', s.bridge, 'up']);
  } catch (err) {
    await unplugVeth(s.veth);
    throw err;
  }
}

/** Deletes the root end of a machine's veth pair (the namespace end goes with it). Idempotent. */
export async function unplugVeth(veth: string): Promise<void> {
  if (await linkExists(veth)) await run(['ip', 'link', 'delete', veth], { allowFail: true });
}
