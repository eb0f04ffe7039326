/**
 * The hosts file of `shoal up -f hosts.json`: existing machines reached over SSH, each with roles (`kv` runs one
 * etcd member, `manager` a replicated manager plus an agent, `node` an agent). Validated with zod, unknown keys
 * refused; every error names the file and the field (`hosts.json: hosts[1].ip: ...`). Pure: no I/O but the read.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { parseIpv4 } from '../../host/ipv4.js';
import { parseDuration } from '../../util/duration.js';
import { InvalidArgumentError } from '../../util/errors.js';

const NAME = /^[a-z][a-z0-9-]{0,30}$/;
const label = z.string().regex(/^[^=\s]+=\S*$/, 'labels are key=value');

/** What a host does in the cluster. */
export type HostRole = 'kv' | 'manager' | 'node';

const hostSchema = z.strictObject({
  name: z.string().regex(NAME, 'host names are lower-case letters, digits and -, starting with a letter'),
  driver: z.enum(['generic', 'netns']).default('generic'),
  ip: z
    .string()
    .refine((v) => parseIpv4(v) !== undefined, 'expected an IPv4 address')
    .optional(),
  sshUser: z.string().min(1).default('root'),
  sshKey: z.string().min(1).optional(),
  sshPort: z.number().int().min(1).max(65_535).default(22),
  roles: z.array(z.enum(['kv', 'manager', 'node'])).min(1, 'give at least one role: kv, manager or node'),
  labels: z.array(label).default([]),
});

/** The file's schema: `hosts` is required, the rest takes `up`'s defaults. */
export const hostsFileSchema = z.strictObject({
  hosts: z.array(hostSchema).min(1, 'declare at least one host'),
  strategy: z.enum(['spread', 'binpack', 'random']).default('spread'),
  /** Labels given to every engine. */
  labels: z.array(label).default([]),
  replicationTtl: z.string().default('3s'),
  heartbeat: z.string().default('2s'),
  /** The engines' `--storage-driver` (default: dockerd's choice). */
  storageDriver: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .optional(),
});

/** One validated host. */
export interface RemoteHost {
  readonly name: string;
  readonly driver: 'generic';
  readonly ip: string;
  readonly sshUser: string;
  /** Absolute path of the private key; empty = the SSH agent. */
  readonly sshKey: string;
  readonly sshPort: number;
  readonly roles: readonly HostRole[];
  /** The file's common labels, then the host's own. */
  readonly labels: readonly string[];
}

/** A validated hosts file, with every default filled in. */
export interface RemoteSpec {
  /** Where the file was read from (for messages). */
  readonly file: string;
  readonly hosts: readonly RemoteHost[];
  readonly strategy: 'spread' | 'binpack' | 'random';
  readonly replicationTtlMs: number;
  readonly heartbeatMs: number;
  /** The engines' storage driver; empty = dockerd's choice. */
  readonly storageDriver: string;
  /** Things that work but go against the tutorial's production advice (printed by `up`). */
  readonly warnings: readonly string[];
}

/** Sizes of the KV cluster `up` accepts: a majority survives the loss of 0, 1 or 2 members. */
export const KV_SIZES: readonly number[] = [1, 3, 5];

/** True when a parsed cluster file is a hosts file (it has `hosts`), not the netns shape of `up`. */
export function isHostsFile(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && 'hosts' in raw;
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(file)';
}

/**
 * Validates a parsed hosts file read from `file` (relative `sshKey` paths are taken from the file's folder).
 * @throws InvalidArgumentError `FILE: FIELD: what is wrong`.
 */
export function resolveHostsFile(raw: unknown, file: string): RemoteSpec {
  const bad = (field: string, msg: string): InvalidArgumentError =>
    new InvalidArgumentError(`${file}: ${field}: ${msg}`);
  const parsed = hostsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw bad(fieldPath(issue?.path ?? []), issue?.message ?? 'invalid');
  }
  const f = parsed.data;
  const hosts: RemoteHost[] = [];
  const names = new Map<string, number>();
  const engineAt = new Map<string, number>();
  f.hosts.forEach((h, i) => {
    const at = `hosts[${i}]`;
    if (h.driver === 'netns') {
      throw bad(
        `${at}.driver`,
        'netns hosts are made by shoal up without a hosts file; a hosts file lists existing machines (driver generic)',
      );
    }
    if (!h.ip) throw bad(`${at}.ip`, `host "${h.name}" needs the IPv4 address shoal reaches it on`);
    const prior = names.get(h.name);
    if (prior !== undefined) throw bad(`${at}.name`, `"${h.name}" is also hosts[${prior}]`);
    names.set(h.name, i);
    const roles = [...new Set(h.roles)];
    if (roles.length !== h.roles.length) throw bad(`${at}.roles`, 'a role is listed twice');
    if (roles.includes('manager') || roles.includes('node')) {
      const other = engineAt.get(h.ip);
      if (other !== undefined) {
        throw bad(
          `${at}.ip`,
          `${h.ip} already runs the engine of hosts[${other}] ("${f.hosts[other]?.name}"); one engine per machine`,
        );
      }
      engineAt.set(h.ip, i);
    }
    const sshKey = h.sshKey ? (isAbsolute(h.sshKey) ? h.sshKey : resolve(dirname(file), h.sshKey)) : '';
    hosts.push({
      name: h.name,
      driver: 'generic',
      ip: h.ip,
      sshUser: h.sshUser,
      sshKey,
      sshPort: h.sshPort,
      roles,
      labels: [...f.labels, ...h.labels],
    });
  });
  const kv = hosts.filter((h) => h.roles.includes('kv'));
  if (!KV_SIZES.includes(kv.length)) {
    throw bad(
      'hosts[].roles',
      `${kv.length} hosts have the kv role; use 1, 3 or 5 (one etcd member each; quorum needs a majority)`,
    );
  }
  if (!hosts.some((h) => h.roles.includes('manager'))) {
    throw bad('hosts[].roles', 'no host has the manager role; give at least one');
  }
  const warnings: string[] = [];
  const byIp = new Map<string, string[]>();
  for (const h of kv) byIp.set(h.ip, [...(byIp.get(h.ip) ?? []), h.name]);
  for (const [ip, same] of byIp) {
    if (same.length > 1) {
      warnings.push(
        `kv members ${same.join(', ')} share the machine ${ip}: losing it loses ${same.length} of ${kv.length} members`,
      );
    }
  }
  return {
    file,
    hosts,
    strategy: f.strategy,
    replicationTtlMs: duration(bad, 'replicationTtl', f.replicationTtl),
    heartbeatMs: duration(bad, 'heartbeat', f.heartbeat),
    storageDriver: f.storageDriver ?? '',
    warnings,
  };
}

function duration(
  bad: (field: string, msg: string) => InvalidArgumentError,
  field: string,
  text: string,
): number {
  let ms = 0;
  try {
    ms = parseDuration(text);
  } catch {
    // reported below
  }
  if (!(ms >= 1000)) throw bad(field, `"${text}" is not a duration of at least 1s (e.g. "3s")`);
  return ms;
}

/** Reads and validates a hosts file. @throws InvalidArgumentError naming the file (and field). */
export async function loadHostsFile(file: string): Promise<RemoteSpec> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new InvalidArgumentError(`${file}: ${(err as Error).message}`, { cause: err });
  }
  return resolveHostsFile(raw, file);
}
