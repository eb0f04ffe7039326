import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { MachineService } from '../machine/machine-service.js';
import { DashboardServer, type HostRow } from '../ui/server/dashboard-server.js';
import type { ManagerEndpoint } from '../ui/server/manager-proxy.js';
import { MIRROR_PORT } from '../up/registry-mirror.js';
import { loadUpState } from '../up/state.js';
import { InvalidArgumentError } from '../util/errors.js';
import { KvView } from './dashboard-kv.js';
import { collect, storagePath, withStore } from './machine-common.js';
import { runAction } from './run-action.js';

interface DashboardFlags {
  swarm?: string;
  addr: string;
  open?: boolean;
  host?: string[];
  discovery?: string;
}

/** Where the built UI lives: `dist/web` beside the compiled CLI (Vite's output; `dist/ui` holds the server). */
export const UI_DIR = join(import.meta.dirname, '../web');

async function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

/** The swarm masters of the store as managers, and the discovery URL of the chosen one. */
async function storeManagers(
  svc: MachineService,
  swarm: string | undefined,
): Promise<{ managers: ManagerEndpoint[]; target: string; discovery: string }> {
  const masters: (ManagerEndpoint & { discovery: string })[] = [];
  for (const { name, host } of await svc.list()) {
    const so = host?.record.HostOptions.SwarmOptions;
    if (!host || !so?.Master) continue;
    const ip = String(host.record.Driver.IPAddress ?? '');
    const port = /:(\d+)$/.exec(so.Host)?.[1] ?? '3376';
    masters.push({ name, addr: `${ip}:${port}`, discovery: so.Discovery });
  }
  if (masters.length === 0)
    throw new InvalidArgumentError('no swarm master in the machine store: give --swarm NAME or -H ADDR');
  const chosen = swarm ? masters.find((m) => m.name === swarm) : masters[0];
  if (!chosen) throw new InvalidArgumentError(`"${swarm}" is not a swarm master in the machine store`);
  const managers = masters
    .filter((m) => m.discovery === chosen.discovery)
    .map(({ name, addr }) => ({ name, addr }));
  return { managers, target: chosen.name, discovery: chosen.discovery };
}

async function storeHosts(svc: MachineService): Promise<HostRow[]> {
  const rows = await svc.list();
  return Promise.all(
    rows.map(async ({ name, host, error }) => {
      if (!host)
        return { name, driver: '', ip: '', state: `Error: ${error?.message ?? 'unreadable'}`, master: false };
      const state = await withTimeout(
        host.driver.state().catch(() => 'Error'),
        3000,
        'Timeout',
      );
      return {
        name,
        driver: host.record.DriverName,
        ip: String(host.record.Driver.IPAddress ?? ''),
        state: String(state),
        master: Boolean(host.record.HostOptions.SwarmOptions?.Master),
      };
    }),
  );
}

async function mirror(store: string): Promise<{ address: string; running: boolean } | undefined> {
  const state = await loadUpState(store);
  if (!state?.spec.registry || !state.kvIp) return undefined;
  const address = `${state.kvIp}:${MIRROR_PORT}`;
  const running = await fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(1500) }).then(
    (r) => r.ok,
    () => false,
  );
  return { address, running };
}

function parseAddr(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(text.trim());
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError(`invalid --addr "${text}": want HOST:PORT`);
  return { host: m[1] ?? m[2]!, port };
}

/**
 * `shoal dashboard`: a local web dashboard over one cluster. Managers come from the machine store's swarm masters
 * (`--swarm NAME` picks the one the API goes through; the others with the same discovery are shown beside it) or
 * from `-H ADDR` (repeatable, the first is used), with `--discovery` for the KV view. Requests reach the managers
 * with the store's client certificate; the dashboard binds only to `--addr`.
 */
export function dashboardCommand(program: Command): void {
  withStore(program.command('dashboard'))
    .description('Serve a live web dashboard of the cluster on this machine (proxying to the managers)')
    .option('--swarm <name>', 'swarm master to go through (default: the first in the store)')
    .option('--addr <host:port>', 'where the dashboard listens', '127.0.0.1:8080')
    .option('--open', 'open the dashboard in a browser (xdg-open)')
    .option('-H, --host <addr>', 'manager HOST:PORT instead of the store masters, repeatable', collect)
    .option('--discovery <url>', 'etcd:// discovery URL for the KV view (with -H)')
    .action(
      runAction(async (flags: DashboardFlags, cmd: Command) => {
        const store = storagePath(cmd);
        const svc = new MachineService({ storePath: store });
        const listen = parseAddr(flags.addr);
        let managers: ManagerEndpoint[];
        let target: string;
        let discovery = flags.discovery;
        if (flags.host?.length) {
          managers = flags.host.map((h) => ({
            name: h.replace(/^tcp:\/\//, ''),
            addr: h.replace(/^tcp:\/\//, ''),
          }));
          target = managers[0]!.name;
        } else {
          const found = await storeManagers(svc, flags.swarm);
          managers = found.managers;
          target = found.target;
          discovery ??= found.discovery;
        }
        const certDir = join(store, 'certs');
        const [ca, cert, key] = await Promise.all([
          readFile(join(certDir, 'ca.pem')),
          readFile(join(certDir, 'cert.pem')),
          readFile(join(certDir, 'key.pem')),
        ]).catch((err: unknown) => {
          throw new InvalidArgumentError(`cannot read the store's client certificate in ${certDir}`, {
            cause: err,
          });
        });
        const kv = discovery?.startsWith('etcd://') ? new KvView(discovery) : undefined;
        if (!existsSync(join(UI_DIR, 'index.html')))
          process.stderr.write(`warning: ${UI_DIR}/index.html is missing: run npm run build\n`);
        const server = new DashboardServer({
          managers,
          target,
          tls: { ca, cert, key },
          ...(kv ? { kv } : {}),
          hosts: () => storeHosts(svc),
          registry: () => mirror(store),
          staticDir: UI_DIR,
        });
        const bound = await server.listen(listen.host, listen.port);
        const url = `http://${bound}/`;
        process.stdout.write(`Dashboard on ${url} (managers: ${managers.map((m) => m.name).join(', ')})\n`);
        if (flags.open) {
          const child = spawn('xdg-open', [url], { stdio: 'ignore', detached: true });
          child.on('error', () => process.stderr.write(`cannot open a browser; open ${url}\n`));
          child.unref();
        }
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
        await server.close();
        await kv?.close();
      }),
    );
}
