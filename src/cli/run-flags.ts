import { InvalidArgumentError } from '../util/errors.js';

/** The `docker run` flags that affect placement, as `shoal plan` reads them. */
export interface RunFlags {
  readonly env?: readonly string[];
  readonly label?: readonly string[];
  readonly memory?: string;
  readonly cpus?: string;
  readonly publish?: readonly string[];
  readonly net?: string;
  readonly volumesFrom?: readonly string[];
  readonly link?: readonly string[];
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** `docker run -m` sizes: a number with an optional unit b, k, m, g, t (powers of 1024, `kb`/`mb`... accepted). */
export function parseMemory(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)b?$/i.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`invalid size: '${text}'`);
  return Math.trunc(Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? 1));
}

/**
 * One `-p` value as `docker run` reads it: `[ip:][hostPort:]containerPort[/proto]` (a bare container port publishes
 * on any host port). Returns the port key (`80/tcp`) and its binding.
 */
export function parsePublish(spec: string): { port: string; binding: { HostIp: string; HostPort: string } } {
  const [addr, proto = 'tcp'] = spec.split('/') as [string, string | undefined];
  const parts = addr.startsWith('[') ? splitBracketed(addr) : addr.split(':');
  let ip = '';
  let host = '';
  let container: string | undefined;
  if (parts.length === 1) container = parts[0];
  else if (parts.length === 2) [host, container] = parts as [string, string];
  else if (parts.length === 3) [ip, host, container] = parts as [string, string, string];
  if (!container || !/^\d+$/.test(container) || (host !== '' && !/^\d+(-\d+)?$/.test(host))) {
    throw new InvalidArgumentError(`invalid publish spec: ${spec}`);
  }
  return { port: `${container}/${proto}`, binding: { HostIp: ip, HostPort: host } };
}

function splitBracketed(addr: string): string[] {
  const end = addr.indexOf(']');
  const rest = addr.slice(end + 2).split(':');
  return [addr.slice(1, end), ...rest];
}

/**
 * The container create body `docker run` would send for `image` with these flags (only what placement reads):
 * `-e` → `Env`, `-l k=v` → `Labels`, `-m` → `HostConfig.Memory`, `--cpus` → `HostConfig.NanoCpus`, `-p` →
 * `ExposedPorts` and `HostConfig.PortBindings`, `--net` → `HostConfig.NetworkMode`, `--volumes-from` and `--link`.
 */
export function runBody(image: string, f: RunFlags): Record<string, unknown> {
  const labels: Record<string, string> = {};
  for (const l of f.label ?? []) {
    const eq = l.indexOf('=');
    labels[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1);
  }
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of f.publish ?? []) {
    const { port, binding } = parsePublish(p);
    exposed[port] = {};
    const list = bindings[port] ?? [];
    list.push(binding);
    bindings[port] = list;
  }
  const host: Record<string, unknown> = {};
  if (f.memory !== undefined) host.Memory = parseMemory(f.memory);
  if (f.cpus !== undefined) {
    const cpus = Number(f.cpus);
    if (!Number.isFinite(cpus) || cpus < 0)
      throw new InvalidArgumentError(`invalid argument "${f.cpus}" for --cpus`);
    host.NanoCpus = Math.round(cpus * 1e9);
  }
  if (f.publish?.length) host.PortBindings = bindings;
  if (f.net) host.NetworkMode = f.net;
  if (f.volumesFrom?.length) host.VolumesFrom = [...f.volumesFrom];
  if (f.link?.length) host.Links = [...f.link];
  return {
    Image: image,
    Env: [...(f.env ?? [])],
    Labels: labels,
    ...(f.publish?.length ? { ExposedPorts: exposed } : {}),
    HostConfig: host,
  };
}
