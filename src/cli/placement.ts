import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { EngineClient, type EngineTlsOptions } from '../engine/index.js';
import type { PlacementExplanation } from '../scheduler/explanation.js';
import { InvalidArgumentError } from '../util/errors.js';
import { collect, serviceFor, withStore } from './machine-common.js';
import { checkedUrl } from './machine-env.js';
import { runAction } from './run-action.js';
import { type RunFlags, runBody } from './run-flags.js';

/** Where the manager is and how to reach it. */
interface Target {
  readonly addr: string;
  readonly tls?: EngineTlsOptions;
}

/**
 * The manager to ask: `--swarm NAME`'s manager (through the machine store, TLS with its client certificate), else
 * `DOCKER_HOST` with `DOCKER_TLS_VERIFY` / `DOCKER_CERT_PATH` as the docker CLI reads them (so
 * `eval "$(shoal machine env --swarm master1)"` works too).
 */
async function target(cmd: Command, swarm: string | undefined): Promise<Target> {
  if (swarm) {
    const svc = serviceFor(cmd);
    const host = await svc.load(swarm);
    const url = await checkedUrl(svc, host, true);
    const files = svc.clientTls(host.name);
    const [ca, cert, key] = await Promise.all([
      readFile(files.caCert),
      readFile(files.clientCert),
      readFile(files.clientKey),
    ]);
    return { addr: url.replace(/^tcp:\/\//, ''), tls: { ca, cert, key, verify: true } };
  }
  const dockerHost = process.env.DOCKER_HOST;
  if (!dockerHost?.startsWith('tcp://')) {
    throw new InvalidArgumentError('no manager given: use --swarm NAME or set DOCKER_HOST=tcp://HOST:PORT');
  }
  const addr = dockerHost.slice('tcp://'.length).replace(/\/+$/, '');
  const certPath = process.env.DOCKER_CERT_PATH;
  const verify = Boolean(process.env.DOCKER_TLS_VERIFY);
  if (!certPath && !verify) return { addr };
  const dir = certPath ?? join(process.env.HOME ?? '', '.docker');
  const [ca, cert, key] = await Promise.all(
    ['ca.pem', 'cert.pem', 'key.pem'].map((f) => readFile(join(dir, f))),
  );
  return { addr, tls: { ca: ca!, cert: cert!, key: key!, verify } };
}

async function call<T>(t: Target, method: string, path: string, body?: unknown): Promise<T> {
  const client = new EngineClient({ addr: t.addr, tls: t.tls, timeoutMs: 30_000 });
  try {
    return await client.json<T>(method, path, body);
  } finally {
    await client.close();
  }
}

/** The per-node table: summary, chosen node, then one row per node (verdict, rank, score, filter and reason). */
export function renderExplanation(e: PlacementExplanation): string {
  const rows = e.nodes.map((n) => [
    n.name,
    n.verdict,
    n.rank === undefined ? '' : String(n.rank),
    n.score === undefined ? '' : String(Math.round(n.score * 100) / 100),
    n.filter ?? '',
    n.reason ?? '',
  ]);
  const head = ['NODE', 'VERDICT', 'RANK', 'SCORE', 'FILTER', 'REASON'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('   ')
      .trimEnd();
  const out = [
    ...(e.container ? [`Container: ${e.container}`] : []),
    `Node:      ${e.node ?? '(none)'}`,
    `Strategy:  ${e.strategy}`,
    `Filters:   ${e.filters.join(', ')}`,
    `Decided:   ${e.at}`,
    `Summary:   ${e.summary}`,
    '',
    line(head),
    ...rows.map(line),
  ];
  return `${out.join('\n')}\n`;
}

function print(e: PlacementExplanation, format: string | undefined): void {
  if (format === 'json') process.stdout.write(`${JSON.stringify(e, null, 2)}\n`);
  else if (format === undefined || format === 'table') process.stdout.write(renderExplanation(e));
  else throw new InvalidArgumentError(`unknown format ${format} (valid: table, json)`);
}

/** `shoal explain` and `shoal plan`: why a container is on its node, and where one would go. */
export function placementCommands(program: Command): void {
  withStore(program.command('explain'))
    .description("Show why a container was placed on its node: each node's verdict, reason, score and rank")
    .argument('<container>', 'container name or ID, as docker accepts it')
    .option('--swarm <machine>', 'ask the swarm manager of this machine (default: $DOCKER_HOST)')
    .option('--format <format>', 'table or json', 'table')
    .action(
      runAction(async (ref: string, o: { swarm?: string; format?: string }, self: Command) => {
        const t = await target(self, o.swarm);
        print(await call(t, 'GET', `/shoal/v1/placements/${encodeURIComponent(ref)}`), o.format);
      }),
    );

  withStore(program.command('plan'))
    .description(
      'Show where `docker run` with these flags would place a container, node by node; nothing is created',
    )
    .argument('<image>', 'image to run')
    .option('--swarm <machine>', 'ask the swarm manager of this machine (default: $DOCKER_HOST)')
    .option(
      '-e, --env <KEY=VALUE>',
      'environment entry; constraint:, affinity: entries steer placement',
      collect,
    )
    .option('-l, --label <KEY=VALUE>', 'container label', collect)
    .option('-m, --memory <bytes>', 'memory limit (b, k, m, g)')
    .option('--cpus <number>', 'number of CPUs')
    .option('-p, --publish <[ip:][hostPort:]port[/proto]>', 'publish a port', collect)
    .option('--net, --network <network>', 'network mode or network')
    .option('--volumes-from <container>', 'mount volumes from a container', collect)
    .option('--link <container[:alias]>', 'link to a container', collect)
    .option('--format <format>', 'table or json', 'table')
    .action(
      runAction(
        async (image: string, o: RunFlags & { swarm?: string; format?: string; network?: string }, self) => {
          const body = runBody(image, { ...o, ...(o.network ? { net: o.network } : {}) });
          const t = await target(self, o.swarm);
          print(await call(t, 'POST', '/shoal/v1/plan', body), o.format);
        },
      ),
    );
}
