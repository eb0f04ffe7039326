import type { Command } from 'commander';
import {
  ClusterUp,
  clusterDown,
  clusterStatus,
  formatStatus,
  loadUpFile,
  resolveUpSpec,
} from '../up/index.js';
import {
  isHostsFile,
  loadRemoteState,
  RemoteUp,
  remoteDown,
  remoteStatus,
  resolveHostsFile,
} from '../up/remote/index.js';
import { storagePath, withStore } from './machine-common.js';
import { runAction } from './run-action.js';

const stamp = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/**
 * `shoal up [-f FILE]`, `shoal down`, `shoal status`: the tutorial's whole cluster (KV host with an etcd cluster and
 * a registry mirror, replicated managers, agents) from one command, in the machine store (`-s`).
 */
export function upCommands(program: Command): void {
  withStore(
    program
      .command('up')
      .description("Bring up the tutorial's cluster (or the one a JSON file declares); safe to run again")
      .option(
        '-f, --file <path>',
        'cluster file (JSON; also valid YAML); with "hosts", existing machines over SSH',
      )
      .option('--prefix <prefix>', 'prefix of namespace, bridge and veth names (overrides the file)')
      .option('--subnet <cidr>', 'subnet of the hosts bridge (overrides the file)'),
  ).action(
    runAction(async (o: { file?: string; prefix?: string; subnet?: string }, cmd: Command) => {
      const raw = o.file ? await loadUpFile(o.file) : {};
      if (o.file && isHostsFile(raw)) {
        const spec = resolveHostsFile(raw, o.file);
        const res = await new RemoteUp({ storePath: storagePath(cmd), progress: stamp }).up(spec);
        const first = spec.hosts.find((h) => h.roles.includes('manager'))?.name;
        stamp(
          `\nCluster ${res.changed ? 'ready' : 'already up, nothing changed'} in ${(res.totalMs / 1000).toFixed(1)}s: ` +
            `primary manager ${res.primary}, KV ${res.discovery}.`,
        );
        stamp('To point docker at the cluster, run:');
        stamp(`    eval "$(shoal machine env --swarm ${first})"; docker info`);
        return;
      }
      const spec = resolveUpSpec(raw, {
        ...(o.prefix ? { prefix: o.prefix } : {}),
        ...(o.subnet ? { subnet: o.subnet } : {}),
      });
      const store = storagePath(cmd);
      const res = await new ClusterUp({ storePath: store, progress: stamp }).up(spec);
      const first = spec.hosts.find((h) => h.role === 'manager')?.name ?? 'master1';
      const s = store === process.env.SHOAL_STORAGE_PATH || !cmd.opts().storagePath ? '' : ` -s ${store}`;
      stamp(
        `\nCluster ${res.changed ? 'ready' : 'already up, nothing changed'} in ${(res.totalMs / 1000).toFixed(1)}s: ` +
          `${spec.hosts.length} nodes, primary manager ${res.primary}, KV ${spec.kvMembers} members on ${res.kvIp}.`,
      );
      stamp('To point docker at the cluster, run:');
      stamp(`    eval "$(shoal machine${s} env --swarm ${first})"; docker info`);
    }),
  );
  withStore(program.command('down').description('Remove everything shoal up made in this store')).action(
    runAction(async (_o: unknown, cmd: Command) => {
      const store = storagePath(cmd);
      if (await loadRemoteState(store)) await remoteDown(store, { progress: stamp });
      else await clusterDown(store, { progress: stamp });
      stamp('Cluster removed.');
    }),
  );
  withStore(
    program
      .command('status')
      .description('Hosts, engines, managers (primary/replica), KV members and registry of the cluster'),
  )
    .option('--json', 'print JSON')
    .action(
      runAction(async (o: { json?: boolean }, cmd: Command) => {
        const store = storagePath(cmd);
        const s = (await loadRemoteState(store)) ? await remoteStatus(store) : await clusterStatus(store);
        process.stdout.write(o.json ? `${JSON.stringify(s, null, 2)}\n` : formatStatus(s));
      }),
    );
}
