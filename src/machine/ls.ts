import { InvalidArgumentError } from '../util/errors.js';
import { naturalCompare } from '../util/natural-compare.js';
import type { MachineState } from './driver.js';
import { engineVersion } from './engine-probe.js';
import type { EngineOptionsRecord, SwarmOptionsRecord } from './host-record.js';
import type { Host, MachineService } from './machine-service.js';

/** One `ls` row; field names are the template fields docker-machine documents. */
export interface HostListItem {
  Name: string;
  Active: string;
  ActiveHost: boolean;
  ActiveSwarm: boolean;
  DriverName: string;
  State: MachineState | string;
  URL: string;
  Swarm: string;
  SwarmOptions: SwarmOptionsRecord | null;
  EngineOptions: EngineOptionsRecord | null;
  Error: string;
  DockerVersion: string;
  ResponseTime: string;
  /** Machine IP ('' when unknown); not a docker-machine field but handy for the SWARM/ACTIVE logic. */
  IP: string;
}

/** ls's default format (docker-machine's columns). */
export const LS_DEFAULT_FORMAT =
  'table {{ .Name }}\t{{ .Active }}\t{{ .DriverName}}\t{{ .State }}\t{{ .URL }}\t{{ .Swarm }}\t{{ .DockerVersion }}\t{{ .Error}}';

/** Column headers for table formats. */
export const LS_HEADERS: Readonly<Record<string, string>> = {
  Name: 'NAME',
  Active: 'ACTIVE',
  ActiveHost: 'ACTIVE_HOST',
  ActiveSwarm: 'ACTIVE_SWARM',
  DriverName: 'DRIVER',
  State: 'STATE',
  URL: 'URL',
  Swarm: 'SWARM',
  SwarmOptions: 'SWARM_OPTIONS',
  EngineOptions: 'ENGINE_OPTIONS',
  Error: 'ERRORS',
  DockerVersion: 'DOCKER',
  ResponseTime: 'RESPONSE',
};

/** Parsed `--filter` values: AND across keys, OR within one key. */
export interface LsFilters {
  driver: string[];
  state: string[];
  name: string[];
  swarm: string[];
  label: string[];
}

/** Parses `--filter k=v` options; an unknown key → "Unsupported filter key". */
export function parseLsFilters(raw: readonly string[]): LsFilters {
  const f: LsFilters = { driver: [], state: [], name: [], swarm: [], label: [] };
  for (const item of raw) {
    const i = item.indexOf('=');
    if (i <= 0) throw new InvalidArgumentError(`Unsupported filter syntax: "${item}" (want key=value)`);
    const key = item.slice(0, i).toLowerCase();
    const value = item.slice(i + 1);
    if (!(key in f)) throw new InvalidArgumentError(`Unsupported filter key '${key}'`);
    if (key === 'name') {
      try {
        new RegExp(value);
      } catch {
        throw new InvalidArgumentError(`Invalid name filter regular expression "${value}"`);
      }
    }
    f[key as keyof LsFilters].push(value);
  }
  return f;
}

/** True when `item` passes every filter group. */
export function matchesLsFilters(item: HostListItem, f: LsFilters): boolean {
  const any = (vals: string[], pred: (v: string) => boolean): boolean => vals.length === 0 || vals.some(pred);
  const masterName = item.Swarm.replace(/ \(master\)$/, '');
  return (
    any(f.driver, (v) => v.toLowerCase() === item.DriverName.toLowerCase()) &&
    any(f.state, (v) => v.toLowerCase() === String(item.State).toLowerCase()) &&
    any(f.name, (v) => new RegExp(v).test(item.Name)) &&
    any(f.swarm, (v) => v === masterName) &&
    any(f.label, (v) => (item.EngineOptions?.Labels ?? []).includes(v))
  );
}

function swarmPort(host: string): string {
  return /:(\d+)$/.exec(host)?.[1] ?? '3376';
}

async function inspect(host: Host, svc: MachineService, timeoutMs: number): Promise<HostListItem> {
  const rec = host.record;
  const item: HostListItem = {
    Name: host.name,
    Active: '-',
    ActiveHost: false,
    ActiveSwarm: false,
    DriverName: rec.DriverName,
    State: 'Error',
    URL: '',
    Swarm: '',
    SwarmOptions: rec.HostOptions.SwarmOptions,
    EngineOptions: rec.HostOptions.EngineOptions,
    Error: '',
    DockerVersion: 'Unknown',
    ResponseTime: '',
    IP: typeof rec.Driver.IPAddress === 'string' ? rec.Driver.IPAddress : '',
  };
  const t0 = Date.now();
  try {
    item.State = await host.driver.state();
    if (item.State === 'Running') {
      item.URL = await host.driver.url();
      item.IP = await host.driver.ip();
      try {
        item.DockerVersion = `v${(await engineVersion(item.URL, svc.clientTls(host.name), timeoutMs)).Version}`;
      } catch (err) {
        item.Error = (err as Error).message;
      }
    }
  } catch (err) {
    item.State = 'Error';
    item.Error = (err as Error).message;
  }
  item.ResponseTime = `${Date.now() - t0}ms`;
  return item;
}

/**
 * Builds the `ls` rows: every host queried in parallel (no answer within `timeoutMs` → state Timeout), hosts whose
 * record cannot be loaded shown with driver "not found" and state Error, ACTIVE from `dockerHost`, SWARM from the
 * master that shares the host's discovery URL. Sorted by natural name order.
 */
export async function listHosts(
  svc: MachineService,
  opts: { timeoutMs: number; dockerHost?: string },
): Promise<HostListItem[]> {
  const entries = await svc.list();
  const items = await Promise.all(
    entries.map(async (e): Promise<HostListItem> => {
      if (!e.host) {
        return {
          Name: e.name,
          Active: '-',
          ActiveHost: false,
          ActiveSwarm: false,
          DriverName: 'not found',
          State: 'Error',
          URL: '',
          Swarm: '',
          SwarmOptions: null,
          EngineOptions: null,
          Error: e.error?.message ?? 'cannot load host',
          DockerVersion: 'Unknown',
          ResponseTime: '',
          IP: '',
        };
      }
      const host = e.host;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<HostListItem>((resolve) => {
        timer = setTimeout(() => {
          resolve({
            Name: host.name,
            Active: '-',
            ActiveHost: false,
            ActiveSwarm: false,
            DriverName: host.record.DriverName,
            State: 'Timeout',
            URL: '',
            Swarm: '',
            SwarmOptions: host.record.HostOptions.SwarmOptions,
            EngineOptions: host.record.HostOptions.EngineOptions,
            Error: `Driver timed out after ${opts.timeoutMs / 1000}s`,
            DockerVersion: 'Unknown',
            ResponseTime: '',
            IP: '',
          });
        }, opts.timeoutMs);
      });
      try {
        return await Promise.race([inspect(host, svc, opts.timeoutMs), timeout]);
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const masters = new Map<string, string>();
  for (const it of items) {
    if (it.SwarmOptions?.Master && it.SwarmOptions.Discovery) masters.set(it.SwarmOptions.Discovery, it.Name);
  }
  for (const it of items) {
    const so = it.SwarmOptions;
    if (so?.IsSwarm) {
      const m = masters.get(so.Discovery) ?? '';
      it.Swarm = so.Master ? `${it.Name} (master)` : m;
    }
    if (opts.dockerHost && it.URL !== '') {
      if (it.URL === opts.dockerHost) {
        it.ActiveHost = true;
        it.Active = '*';
      } else if (so?.Master && it.IP && opts.dockerHost === `tcp://${it.IP}:${swarmPort(so.Host)}`) {
        it.ActiveSwarm = true;
        it.Active = '* (swarm)';
      }
    }
  }
  return items.sort((a, b) => naturalCompare(a.Name, b.Name));
}
