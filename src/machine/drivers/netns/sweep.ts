/**
 * Removes every netns machine whose names carry a given prefix, without any store: for test suites that must start
 * clean after an earlier run was killed before its teardown. Only names built from the prefix are touched.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyNamespaces, NETNS_DIR, NS_ROOT, netnsInode } from '../../../host/namespaces.js';
import { killProcesses, namespaceProcesses } from '../../../host/processes.js';
import { run } from '../../../host/run.js';
import { type Clock, systemClock } from '../../../util/clock.js';
import { checkPrefix } from './config.js';
import { LEASE_ROOT } from './leases.js';
import { bridgeRules } from './network.js';

/** Names of the root-namespace links whose name starts with `prefix` followed by `kind` (`v` veth, `b` bridge). */
async function linksOf(prefix: string, kind: 'v' | 'b'): Promise<string[]> {
  const out = (await run(['ip', '-o', 'link', 'show'], { allowFail: true })).stdout;
  const re = new RegExp(`^${prefix}${kind}[0-9a-f]{8}$`);
  return out
    .split('\n')
    .map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '')
    .filter((n) => re.test(n));
}

/** Kills, unpins and deletes all namespaces, veths, bridges, FORWARD rules and leases named with `prefix`. */
export async function sweepPrefix(prefix: string, clock: Clock = systemClock): Promise<void> {
  checkPrefix(prefix);
  const nsNames = new Set<string>();
  for (const dir of [NETNS_DIR, NS_ROOT]) {
    for (const n of await readdir(dir).catch(() => [] as string[]))
      if (n.startsWith(`${prefix}-`)) nsNames.add(n);
  }
  for (const ns of nsNames) {
    const inode = await netnsInode(ns);
    if (inode !== undefined) await killProcesses(() => namespaceProcesses(inode), clock);
    await destroyNamespaces(ns);
  }
  for (const veth of await linksOf(prefix, 'v'))
    await run(['ip', 'link', 'delete', veth], { allowFail: true });
  const bridges = await linksOf(prefix, 'b');
  for (const br of bridges) {
    await run(['ip', 'link', 'delete', br], { allowFail: true });
  }
  const bridgeRe = new RegExp(`^${prefix}b[0-9a-f]{8}$`);
  const rules = (await run(['iptables', '-S', 'FORWARD'], { allowFail: true })).stdout;
  for (const line of rules.split('\n')) {
    const m = /^-A FORWARD -i (\S+) (?:! )?-o \1 -j (?:ACCEPT|REJECT)/.exec(line.trim());
    if (m && bridgeRe.test(m[1]!)) {
      for (const rule of bridgeRules(m[1]!)) await run(['iptables', '-D', ...rule], { allowFail: true });
    }
  }
  for (const n of await readdir(LEASE_ROOT).catch(() => [] as string[])) {
    if (bridgeRe.test(n)) await rm(join(LEASE_ROOT, n), { recursive: true, force: true });
  }
}
