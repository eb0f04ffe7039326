import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { EngineClient } from '../engine/index.js';
import { parseDuration } from '../util/duration.js';
import { InvalidArgumentError } from '../util/errors.js';
import { CliExit } from './errors.js';
import { runAction } from './run-action.js';

/** Exit status of `shoal node drain` when the deadline passed before the drain was done. */
export const DRAIN_DEADLINE_EXIT = 3;

interface ConnectFlags {
  host?: string;
  tlsverify?: boolean;
}

interface ShoalNode {
  ID: string;
  Name: string;
  Addr: string;
  State: string;
  Availability: string;
  Drain: {
    remaining: string[];
    moved: string[];
    staying: { name: string; reason: string }[];
    failed: { name: string; reason: string }[];
    done: boolean;
  } | null;
  Pending: { Name: string; Reason: string }[];
}

/**
 * A client for the manager at `-H` (else `$DOCKER_HOST`), with TLS from `$DOCKER_CERT_PATH` (ca.pem, cert.pem,
 * key.pem) when `--tlsverify` or `$DOCKER_TLS_VERIFY` is set, as the docker CLI does.
 */
function managerClient(flags: ConnectFlags): EngineClient {
  const host = flags.host ?? process.env.DOCKER_HOST;
  if (!host) throw new InvalidArgumentError('no manager address: give -H tcp://HOST:PORT or set DOCKER_HOST');
  const m = /^(?:tcp:\/\/)?([^/]+:\d+)\/?$/.exec(host);
  if (!m?.[1]) throw new InvalidArgumentError(`unsupported manager address "${host}" (tcp://HOST:PORT)`);
  const verify = Boolean(flags.tlsverify) || Boolean(process.env.DOCKER_TLS_VERIFY);
  if (!verify) return new EngineClient({ addr: m[1], timeoutMs: 30_000 });
  const dir = process.env.DOCKER_CERT_PATH;
  if (!dir) throw new InvalidArgumentError('DOCKER_TLS_VERIFY is set but DOCKER_CERT_PATH is not');
  const read = (f: string): Buffer => readFileSync(join(dir, f));
  return new EngineClient({
    addr: m[1],
    timeoutMs: 30_000,
    tls: { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem'), verify: true },
  });
}

async function withClient(flags: ConnectFlags, fn: (c: EngineClient) => Promise<void>): Promise<void> {
  const client = managerClient(flags);
  try {
    await fn(client);
  } finally {
    await client.close();
  }
}

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]! + 3))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}

async function shoalNodes(c: EngineClient): Promise<ShoalNode[]> {
  return c.json<ShoalNode[]>('GET', '/shoal/v1/nodes');
}

async function ls(flags: ConnectFlags): Promise<void> {
  await withClient(flags, async (c) => {
    const nodes = (await shoalNodes(c)).sort((a, b) => a.Name.localeCompare(b.Name, 'en', { numeric: true }));
    const rows = [['NAME', 'ID', 'STATE', 'AVAILABILITY', 'NOTES']];
    for (const n of nodes) {
      const notes: string[] = [];
      if (n.Drain) notes.push(drainLine(n.Drain));
      for (const p of n.Pending) notes.push(`${p.Name} waits: ${p.Reason}`);
      rows.push([n.Name, n.ID, n.State, n.Availability, notes.join('; ')]);
    }
    process.stdout.write(`${pad(rows)}\n`);
  });
}

function drainLine(d: NonNullable<ShoalNode['Drain']>): string {
  const parts = [`${d.moved.length} moved`, `${d.remaining.length} to move`];
  if (d.staying.length > 0)
    parts.push(`staying: ${d.staying.map((s) => `${s.name} (${s.reason})`).join(', ')}`);
  if (d.failed.length > 0)
    parts.push(`failing: ${d.failed.map((s) => `${s.name} (${s.reason})`).join(', ')}`);
  return `${d.done ? 'drained' : 'draining'}: ${parts.join(', ')}`;
}

async function setAvailability(
  c: EngineClient,
  ref: string,
  availability: string,
): Promise<{ id: string; name: string }> {
  const node = await c.json<{ ID: string; Version: { Index: number }; Description: { Hostname: string } }>(
    'GET',
    `/nodes/${encodeURIComponent(ref)}`,
  );
  await c.json(
    'POST',
    `/nodes/${encodeURIComponent(node.ID)}/update`,
    { Availability: availability, Role: 'worker', Labels: {} },
    { query: { version: String(node.Version.Index) } },
  );
  return { id: node.ID, name: node.Description.Hostname };
}

async function change(ref: string, availability: 'active' | 'pause', flags: ConnectFlags): Promise<void> {
  await withClient(flags, async (c) => {
    const node = await setAvailability(c, ref, availability);
    process.stdout.write(`${node.name}: ${availability}\n`);
  });
}

async function drain(ref: string, flags: ConnectFlags & { deadline?: string }): Promise<void> {
  const deadlineMs = flags.deadline ? parseDuration(flags.deadline) : 0;
  if (flags.deadline && !(deadlineMs > 0))
    throw new InvalidArgumentError('--deadline must be a positive duration');
  await withClient(flags, async (c) => {
    const node = await setAvailability(c, ref, 'drain');
    process.stdout.write(`${node.name}: drain\n`);
    const end = deadlineMs > 0 ? Date.now() + deadlineMs : Number.POSITIVE_INFINITY;
    let last = '';
    for (;;) {
      const n = (await shoalNodes(c)).find((x) => x.ID === node.id);
      if (!n) throw new CliExit(1, `node ${node.name} left the cluster during the drain`);
      if (n.Availability !== 'drain')
        throw new CliExit(1, `node ${node.name} is ${n.Availability} again: drain stopped`);
      const line = n.Drain ? drainLine(n.Drain) : 'draining';
      if (line !== last) process.stdout.write(`${node.name}: ${line}\n`);
      last = line;
      if (n.Drain?.done) return;
      if (Date.now() >= end) {
        throw new CliExit(
          DRAIN_DEADLINE_EXIT,
          `deadline passed: ${node.name} still has ${n.Drain?.remaining.join(', ') || 'containers'} to move`,
        );
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  });
}

function connectOptions(cmd: Command): Command {
  return cmd
    .option('-H, --host <addr>', 'manager address tcp://HOST:PORT (default $DOCKER_HOST)')
    .option('--tlsverify', 'use TLS with the certificates in $DOCKER_CERT_PATH (default $DOCKER_TLS_VERIFY)');
}

/**
 * `shoal node ls|pause|drain|activate`: node availability on a running manager, for scripts. Exit status 0 on
 * success, 1 on an error, {@link DRAIN_DEADLINE_EXIT} when `drain --deadline` passed before the drain was done.
 */
export function nodeCommands(program: Command): void {
  const node = program
    .command('node')
    .description(
      'Node availability on a manager: pause (no new containers), drain (also move containers that have a ' +
        'reschedule policy), activate',
    );
  connectOptions(
    node
      .command('ls')
      .description('List nodes with state, availability, drain progress and waiting reschedules'),
  ).action(runAction(async (flags: ConnectFlags) => ls(flags)));
  connectOptions(
    node
      .command('pause')
      .argument('<node>', 'node name or ID')
      .description('Place no new containers on the node'),
  ).action(runAction(async (ref: string, flags: ConnectFlags) => change(ref, 'pause', flags)));
  connectOptions(
    node
      .command('activate')
      .argument('<node>', 'node name or ID')
      .description('Place containers on the node again'),
  ).action(runAction(async (ref: string, flags: ConnectFlags) => change(ref, 'active', flags)));
  connectOptions(
    node
      .command('drain')
      .argument('<node>', 'node name or ID')
      .description(
        'Pause the node and move every container that has a reschedule policy elsewhere (each new copy is started ' +
          'and checked before the old one is stopped and removed); containers without a policy stay and are ' +
          'listed. Waits until the engine confirms the moved containers gone; exit status 3 when --deadline passes first',
      )
      .option('--deadline <duration>', 'give up waiting after this long (e.g. 2m); the drain itself goes on'),
  ).action(runAction(async (ref: string, flags: ConnectFlags & { deadline?: string }) => drain(ref, flags)));
}
