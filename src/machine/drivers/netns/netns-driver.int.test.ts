import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyNamespaces, namespacePaths } from '../../../host/namespaces.js';
import { importBusybox } from '../../../images/busybox.js';
import { bootTestHosts, runCommand, type TestHosts } from '../../../testkit/hosts.js';
import { releaseAddress } from './leases.js';
import type { NetnsDriver } from './netns-driver.js';
import { unplugVeth } from './network.js';

// Three real hosts shared by the whole file (prefix shn, subnet 10.232.0.0/24); torn down even after failures.
let th: TestHosts;

beforeAll(async () => {
  th = await bootTestHosts({
    prefix: 'shn',
    subnet: '10.232.0.0/24',
    hosts: [{ name: 'shn-a', labels: ['env=test'] }, { name: 'shn-b' }, { name: 'shn-c' }],
  });
});

afterAll(async () => {
  await th?.dispose();
});

/** One `GET /_ping` over TLS to the engine port: 'answered' on a 200, 'refused' on a TLS error or no answer. */
function tlsPing(
  ip: string,
  creds: { ca: Buffer; cert?: Buffer; key?: Buffer },
): Promise<'answered' | 'refused'> {
  return new Promise((resolve) => {
    let data = '';
    const s = connect({ host: ip, port: 2376, ...creds, checkServerIdentity: () => undefined }, () => {
      s.write(`GET /_ping HTTP/1.1\r\nHost: ${ip}\r\nConnection: close\r\n\r\n`);
    });
    s.setTimeout(10_000, () => s.destroy());
    s.on('data', (b: Buffer) => {
      data += b.toString();
    });
    s.on('error', () => undefined);
    s.on('close', () => resolve(/^HTTP\/1\.1 200/.test(data) ? 'answered' : 'refused'));
  });
}

/** The start time (clock ticks since boot) of a live process; undefined when it is gone or a zombie not yet reaped. */
async function startTime(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields && fields[0] !== 'Z' ? fields[19] : undefined;
}

/** Everything on this box that still names `ns`, `veth` or `dir`. */
async function traces(ns: string, veth: string, dir: string): Promise<string[]> {
  const found: string[] = [];
  if ((await runCommand(['ip', 'netns', 'list'])).stdout.includes(ns)) found.push(`netns ${ns}`);
  if ((await runCommand(['ip', '-o', 'link'])).stdout.includes(veth)) found.push(`link ${veth}`);
  if (await stat(namespacePaths(ns).dir).catch(() => undefined)) found.push('pinned uts/mnt');
  if (await stat(dir).catch(() => undefined)) found.push(`dir ${dir}`);
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(dir)) found.push(`process ${pid} ${cmd.replaceAll('\0', ' ')}`);
  }
  return found;
}

describe('netns hosts', () => {
  it('gives each host its own address, hostname, engine name and engine ID', async () => {
    const ips = th.hosts.map((h) => h.ip);
    expect(ips).toEqual(['10.232.0.2', '10.232.0.3', '10.232.0.4']);
    const ids = new Set<string>();
    for (const h of th.hosts) {
      expect(h.url).toBe(`tcp://${h.ip}:2376`);
      const info = await th.docker(h, ['info', '--format', '{{.Name}}|{{.ID}}|{{json .Labels}}']);
      expect(info.code, info.stderr).toBe(0);
      const [name, id, labels] = info.stdout.trim().split('|');
      expect(name).toBe(h.name);
      expect(JSON.parse(labels!)).toContain('provider=netns');
      ids.add(id!);
      const inside = await h.exec(['sh', '-c', 'hostname; ls /sys/class/net; ip -4 -o addr show eth1']);
      expect(inside.code).toBe(0);
      expect(inside.stdout).toMatch(new RegExp(`^${h.name}\\n`));
      expect(inside.stdout).toContain('eth1');
      expect(inside.stdout).toContain(`${h.ip}/24`);
    }
    expect(ids.size).toBe(3);
    const a = await th.docker(th.hosts[0]!, ['info', '--format', '{{json .Labels}}']);
    expect(JSON.parse(a.stdout)).toContain('env=test');
  });

  it('runs a busybox container on every host with both docker CLIs', async () => {
    for (const h of th.hosts) {
      await th.loadBusybox(h);
      for (const cli of ['/usr/bin/docker', '/usr/local/bin/docker'] as const) {
        const r = await th.docker(h, ['run', '--rm', 'busybox', 'sh', '-c', 'echo hi from $(hostname -s)'], {
          cli,
        });
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/^hi from [0-9a-f]{12}\n$/);
      }
    }
  });

  it('lets hosts reach each other over the bridge', async () => {
    const [a, b, c] = th.hosts;
    for (const [from, to] of [
      [a!, b!],
      [b!, c!],
      [c!, a!],
    ] as const) {
      const r = await from.exec(['busybox', 'ping', '-c', '1', '-W', '3', to.ip]);
      expect(r.code, `${from.name} -> ${to.ip}: ${r.stdout}${r.stderr}`).toBe(0);
    }
    // and a container on one host reaches another host
    const r = await th.docker(a!, ['run', '--rm', 'busybox', 'ping', '-c', '1', '-W', '3', b!.ip]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('fails a pull of an unknown image on a lookup error, without a DNS packet leaving the host', async () => {
    const h = th.hosts[0]!;
    const bridge = String((await th.service.load(h.name)).record.Driver.Bridge);
    // packets the bridge's REJECT rule turned away: anything a host sent out of its bridge
    const rejected = async (): Promise<number> => {
      const out = (await runCommand(['iptables', '-v', '-x', '-n', '-L', 'FORWARD'])).stdout;
      const line = out.split('\n').find((l) => /\bREJECT\b/.test(l) && l.includes(bridge));
      return Number(line?.trim().split(/\s+/)[0] ?? Number.NaN);
    };
    const before = await rejected();
    for (const cli of ['/usr/bin/docker', '/usr/local/bin/docker'] as const) {
      const r = await th.docker(h, ['pull', `shoal-test/no-such-image-${cli.length}`], { cli });
      expect(r.code).not.toBe(0);
      // the engine's resolver answered from /etc/hosts alone (Go says "no suitable address found" or "no such
      // host"), never after a resolver timeout
      expect(r.stderr).toMatch(/registry-1\.docker\.io[^\n]*: (no suitable address found|no such host)/);
      expect(r.stderr).not.toMatch(/timeout/i);
    }
    expect(await rejected()).toBe(before);
  });

  it('keeps containers across stop and start', async () => {
    const h = th.hosts[1]!;
    const run = await th.docker(h, [
      'run',
      '-d',
      '--name',
      'keeper',
      '--stop-timeout',
      '2',
      'busybox',
      'sleep',
      '600',
    ]);
    expect(run.code, run.stderr).toBe(0);
    await h.stopEngine();
    expect(await (await th.service.load(h.name)).driver.state()).toBe('Stopped');
    expect((await th.docker(h, ['version'])).code).not.toBe(0);
    await h.startEngine();
    expect(await (await th.service.load(h.name)).driver.state()).toBe('Running');
    const ps = await th.docker(h, ['ps', '-a', '--filter', 'name=keeper', '--format', '{{.Names}}']);
    expect(ps.stdout.trim()).toBe('keeper');
    const start = await th.docker(h, ['start', 'keeper']);
    expect(start.code, start.stderr).toBe(0);
    const exec = await th.docker(h, ['exec', 'keeper', 'echo', 'alive']);
    expect(exec.stdout.trim()).toBe('alive');
  });

  it('comes back after a kill (engine, containerd and containers SIGKILLed)', async () => {
    const h = th.hosts[2]!;
    await h.killEngine();
    expect(await (await th.service.load(h.name)).driver.state()).toBe('Stopped');
    await h.startEngine();
    const r = await th.docker(h, ['run', '--rm', 'busybox', 'true']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('comes back after losing its namespaces (as after a reboot): same address, data kept', async () => {
    const h = th.hosts[2]!;
    const created = await th.docker(h, ['create', '--name', 'survivor', 'busybox', 'true']);
    expect(created.code, created.stderr).toBe(0);
    const d = (await th.service.load(h.name)).driver as NetnsDriver;
    // what a reboot clears: every process, the pinned namespaces, the veth and the lease under /run
    await d.kill();
    await destroyNamespaces(d.ns);
    await unplugVeth(d.veth);
    await releaseAddress(d.settings.bridge, h.ip);
    expect(await d.state()).toBe('Stopped');
    await h.startEngine();
    expect(await d.state()).toBe('Running');
    const ps = await th.docker(h, ['ps', '-a', '--filter', 'name=survivor', '--format', '{{.Names}}']);
    expect(ps.stdout.trim()).toBe('survivor');
    expect((await h.exec(['hostname'])).stdout.trim()).toBe(h.name);
    expect((await th.hosts[0]!.exec(['busybox', 'ping', '-c', '1', '-W', '3', h.ip])).code).toBe(0);
  });

  it('refuses clients without a certificate', async () => {
    const h = th.hosts[0]!;
    const plain = await runCommand(['/usr/local/bin/docker', '-H', h.url, 'version']);
    expect(plain.code).not.toBe(0);
    const ca = await readFile(join(h.machineDir, 'ca.pem'));
    expect(await tlsPing(h.ip, { ca })).toBe('refused');
    const cert = await readFile(join(h.machineDir, 'cert.pem'));
    const key = await readFile(join(h.machineDir, 'key.pem'));
    expect(await tlsPing(h.ip, { ca, cert, key })).toBe('answered');
  });

  it('rm leaves no namespace, link, process or file of the host', async () => {
    await th.service.create({
      name: 'shn-gone',
      driver: 'netns',
      driverFlags: { 'netns-subnet': '10.232.0.0/24', 'netns-prefix': 'shn' },
    });
    const host = await th.service.load('shn-gone');
    const rec = host.record.Driver;
    const ip = String(rec.IPAddress);
    const env = {
      DOCKER_HOST: `tcp://${ip}:2376`,
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: host.machineDir,
    };
    await importBusybox(env);
    // a running container: its shim and process must go too
    const r = await host.driver.exec(['docker', 'run', '-d', 'busybox', 'sleep', '600']);
    expect(r.code, r.stderr).toBe(0);
    const container = await host.driver.exec(['docker', 'inspect', '-f', '{{.State.Pid}}', r.stdout.trim()]);
    const containerPid = Number(container.stdout.trim());
    expect(containerPid).toBeGreaterThan(0);
    const containerStart = await startTime(containerPid);
    expect(containerStart).toBeDefined();
    const before = await traces(String(rec.Netns), String(rec.Veth), host.machineDir);
    expect(before.length).toBeGreaterThan(3);
    await th.service.remove('shn-gone');
    expect(await traces(String(rec.Netns), String(rec.Veth), host.machineDir)).toEqual([]);
    // gone (or a zombie waiting for init), or the PID now belongs to a new process (PIDs get reused)
    expect(await startTime(containerPid)).not.toBe(containerStart);
    // the bridge and its rule stay for the other hosts
    expect((await runCommand(['iptables', '-S', 'FORWARD'])).stdout).toContain(
      `-i ${rec.Bridge} -o ${rec.Bridge}`,
    );
  });

  it('keeps hosts on their bridge, and removes the bridge and its FORWARD rules with the last host on it', async () => {
    await th.service.create({
      name: 'shn-solo',
      driver: 'netns',
      driverFlags: { 'netns-subnet': '10.232.1.0/24', 'netns-prefix': 'shn' },
    });
    const rec = (await th.service.load('shn-solo')).record.Driver;
    expect(rec.Bridge).toBe('shnb0ae80100');
    expect(rec.IPAddress).toBe('10.232.1.2');
    const forward = (await runCommand(['iptables', '-S', 'FORWARD'])).stdout;
    expect(forward).toContain('-i shnb0ae80100 -o shnb0ae80100 -j ACCEPT');
    // nothing a host sends leaves its bridge for the rest of the world
    expect(forward).toContain('-i shnb0ae80100 ! -o shnb0ae80100 -j REJECT');
    await th.service.remove('shn-solo');
    expect((await runCommand(['ip', '-o', 'link'])).stdout).not.toContain('shnb0ae80100');
    expect((await runCommand(['iptables', '-S'])).stdout).not.toContain('shnb0ae80100');
  });

  it('a create whose engine cannot start leaves nothing behind', async () => {
    await expect(
      th.service.create({
        name: 'shn-bad',
        driver: 'netns',
        driverFlags: { 'netns-subnet': '10.232.0.0/24', 'netns-prefix': 'shn' },
        engine: { opts: ['no-such-dockerd-flag=1'] },
      }),
    ).rejects.toThrow(/^dockerd exited while starting: unknown flag: --no-such-dockerd-flag$/);
    expect(await th.service.store.exists('shn-bad')).toBe(false);
    expect(await traces('shn-shn-bad', 'shnv0ae80005', th.service.store.machineDir('shn-bad'))).toEqual([]);
    expect((await runCommand(['ip', 'netns', 'list'])).stdout).not.toContain('shn-shn-bad');
  });
});
