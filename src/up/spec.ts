/**
 * The declared shape of a `shoal up` cluster: the tutorial's topology by default, changed by a JSON file
 * (`shoal.json`, or `shoal.yml` holding JSON — YAML's flow style is JSON). Validated with zod; unknown keys refused.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { parseDuration } from '../util/duration.js';
import { InvalidArgumentError } from '../util/errors.js';

const NAME = /^[a-z][a-z0-9-]{0,30}$/;
const hostName = z
  .string()
  .regex(NAME, 'host names are lower-case letters, digits and -, starting with a letter');
const label = z.string().regex(/^[^=\s]+=\S*$/, 'labels are key=value');

const hostSchema = z.union([
  hostName,
  z.strictObject({ name: hostName, labels: z.array(label).default([]) }),
]);

/** The file's schema. Every key is optional; absent ones take the tutorial's values. */
export const upFileSchema = z.strictObject({
  /** Prefix of namespace, bridge and veth names (1-6 lower-case letters/digits). */
  prefix: z
    .string()
    .regex(/^[a-z][a-z0-9]{0,5}$/)
    .optional(),
  /** IPv4 subnet of the hosts' bridge. */
  subnet: z
    .string()
    .regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/)
    .optional(),
  /** The host running the KV members and the registry. */
  kvHost: hostName.optional(),
  /** Number of etcd members (odd, 1-7). */
  kvMembers: z.number().int().min(1).max(7).optional(),
  /** Replicated managers (each also runs an agent). */
  managers: z.array(hostSchema).min(1).optional(),
  /** Agent-only nodes. */
  nodes: z.array(hostSchema).optional(),
  strategy: z.enum(['spread', 'binpack', 'random']).optional(),
  /** Labels given to every engine. */
  labels: z.array(label).optional(),
  /** `--replication-ttl` of the managers (Go duration). */
  replicationTtl: z.string().optional(),
  /** Agents' heartbeat (their TTL is 3x). */
  heartbeat: z.string().optional(),
  /** Run the local registry mirror seeded with busybox. */
  registry: z.boolean().optional(),
});

/** One engine host of the cluster. */
export interface UpHost {
  readonly name: string;
  readonly role: 'manager' | 'node';
  readonly labels: readonly string[];
}

/** A validated cluster shape with every default filled in. */
export interface UpSpec {
  readonly prefix: string;
  readonly subnet: string;
  readonly kvHost: string;
  readonly kvMembers: number;
  /** Managers first, then nodes, in declaration order. */
  readonly hosts: readonly UpHost[];
  readonly strategy: 'spread' | 'binpack' | 'random';
  readonly replicationTtlMs: number;
  readonly heartbeatMs: number;
  readonly registry: boolean;
}

/** The tutorial's shape: a KV host with 3 members, `master1`, `master2`, `node1`, spread, a registry mirror. */
export const DEFAULT_UP = {
  prefix: 'shoal',
  subnet: '10.200.0.0/24',
  kvHost: 'kv',
  kvMembers: 3,
  managers: ['master1', 'master2'],
  nodes: ['node1'],
  strategy: 'spread',
  replicationTtl: '3s',
  heartbeat: '2s',
  registry: true,
} as const;

function duration(field: string, text: string): number {
  const invalid = (cause?: unknown) =>
    new InvalidArgumentError(`invalid ${field} "${text}": expected a duration of at least 1s`, { cause });
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (err) {
    throw invalid(err);
  }
  if (ms < 1000) throw invalid();
  return ms;
}

/**
 * Validates a parsed file (or `{}` for the default) and fills the defaults. `overrides` (from the command line)
 * win over the file.
 * @throws InvalidArgumentError naming the offending field, on any invalid or duplicated value.
 */
export function resolveUpSpec(raw: unknown, overrides: { prefix?: string; subnet?: string } = {}): UpSpec {
  const parsed = upFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(file)';
    throw new InvalidArgumentError(`invalid cluster file at ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const f = parsed.data;
  const common = f.labels ?? [];
  const host = (h: z.infer<typeof hostSchema>, role: UpHost['role']): UpHost =>
    typeof h === 'string'
      ? { name: h, role, labels: [...common] }
      : { name: h.name, role, labels: [...common, ...h.labels] };
  const hosts = [
    ...(f.managers ?? DEFAULT_UP.managers).map((h) => host(h, 'manager')),
    ...(f.nodes ?? DEFAULT_UP.nodes).map((h) => host(h, 'node')),
  ];
  const kvHost = f.kvHost ?? DEFAULT_UP.kvHost;
  const seen = new Set<string>([kvHost]);
  for (const h of hosts) {
    if (seen.has(h.name))
      throw new InvalidArgumentError(`invalid cluster file: host "${h.name}" is declared twice`);
    seen.add(h.name);
  }
  const kvMembers = f.kvMembers ?? DEFAULT_UP.kvMembers;
  if (kvMembers % 2 === 0) {
    throw new InvalidArgumentError(
      `invalid kvMembers ${kvMembers}: use an odd number (quorum needs a majority)`,
    );
  }
  return {
    prefix: overrides.prefix ?? f.prefix ?? DEFAULT_UP.prefix,
    subnet: overrides.subnet ?? f.subnet ?? DEFAULT_UP.subnet,
    kvHost,
    kvMembers,
    hosts,
    strategy: f.strategy ?? DEFAULT_UP.strategy,
    replicationTtlMs: duration('replicationTtl', f.replicationTtl ?? DEFAULT_UP.replicationTtl),
    heartbeatMs: duration('heartbeat', f.heartbeat ?? DEFAULT_UP.heartbeat),
    registry: f.registry ?? DEFAULT_UP.registry,
  };
}

/**
 * Reads a cluster file: JSON (also in a `.yml` file, since YAML's flow style is JSON). A block-style YAML file is
 * refused with a message saying so.
 */
export async function loadUpFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`cannot read cluster file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(
      `cluster file ${path} is not JSON (shoal reads JSON, which is also valid YAML): ${(err as Error).message}`,
      { cause: err },
    );
  }
}
