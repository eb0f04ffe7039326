import type { Command } from 'commander';
import {
  collect,
  createDiscovery,
  DiscoveryTimeoutError,
  parseDiscoveryOpts,
  parseListTimeout,
  resolveDiscoveryUrl,
} from '../discovery/index.js';
import { swarmLogLevel, withGlobalFlags } from './go-flags.js';
import { runAction } from './run-action.js';

/**
 * Resolves the first entry set of a discovery URL, or throws DiscoveryTimeoutError ("Timed out") after
 * `timeoutMs`, or the first discovery error. `timeoutMs` is also the backend's heartbeat, as in classic Swarm.
 */
export async function listOnce(
  uri: string,
  timeoutMs: number,
  options: Record<string, string>,
): Promise<string[]> {
  const discovery = createDiscovery(uri, { heartbeatMs: timeoutMs, ttlMs: timeoutMs * 3, options });
  const stop = new AbortController();
  let failure: Error | undefined;
  const timer = setTimeout(() => stop.abort(), timeoutMs);
  try {
    for await (const entries of discovery.watch(stop.signal, (err) => {
      failure = err;
      stop.abort();
    })) {
      return entries;
    }
    throw failure ?? new DiscoveryTimeoutError();
  } finally {
    clearTimeout(timer);
    stop.abort();
    await discovery.close();
  }
}

/** `shoal list [--timeout 10s] [--discovery-opt k=v] <discovery>`: prints the discovered `host:port`s and exits. */
export function listCommand(program: Command): void {
  withGlobalFlags(program.command('list'))
    .alias('l')
    .description('List the nodes of a cluster as discovery sees them')
    .argument('[discovery]', 'discovery URL; default $SWARM_DISCOVERY')
    .option('--timeout <duration>', 'how long to wait for the discovery backend', '10s')
    .option(
      '--discovery-opt <key=value>',
      'discovery option (kv.path, kv.cacertfile, ...), repeatable',
      collect,
    )
    .action(
      runAction(
        async (
          arg: string | undefined,
          flags: { timeout: string; discoveryOpt?: string[]; debug?: boolean; logLevel?: string },
        ) => {
          swarmLogLevel(flags);
          const uri = resolveDiscoveryUrl(arg, 'list');
          const timeoutMs = parseListTimeout(flags.timeout);
          const entries = await listOnce(uri, timeoutMs, parseDiscoveryOpts(flags.discoveryOpt ?? []));
          for (const e of entries) process.stdout.write(`${e}\n`);
        },
      ),
    );
}
