/**
 * Metrics scraped by a real Prometheus (Debian's `prometheus`): two netns engines (prefix shm, subnet
 * 10.251.0.0/24) registered by two real `shoal join` agents in a loopback etcd, two replicated `shoal manage
 * --tlsverify` processes, and Prometheus scraping both managers' `/metrics` over TLS with the store's client
 * certificate. Queries go to Prometheus's HTTP API.
 */
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalEtcd, startLocalEtcd } from '../kv/index.js';
import { bootTestHosts, type TestHosts } from '../testkit/hosts.js';
import {
  issueManagerCert,
  SHOAL_BIN as SHOAL,
  startProcess,
  type TestProcess,
} from '../testkit/processes.js';
import { freePort } from '../util/free-port.js';

const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');
const PROMETHEUS = '/usr/bin/prometheus';

let th: TestHosts;
let etcd: LocalEtcd | undefined;
let work = '';
const procs: TestProcess[] = [];
let promUrl = '';
const managerPorts: number[] = [];
const agentMetricsPorts: number[] = [];
let plainMetricsPort = 0;

function start(name: string, argv: string[]): TestProcess {
  const p = startProcess(name, argv);
  procs.push(p);
  return p;
}

function logs(): string {
  return procs.map((p) => `--- ${p.name}\n${p.log.slice(-2000)}`).join('\n');
}

async function waitFor(what: string, check: () => Promise<boolean>, limitMs = 60_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}\n${logs()}`);
}

/** One instant query; the samples' labels and values. */
async function query(q: string): Promise<{ metric: Record<string, string>; value: number }[]> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await res.json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== 'success') throw new Error(`query ${q}: ${JSON.stringify(body)}`);
  return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

async function scalar(q: string): Promise<number | undefined> {
  const r = await query(q);
  return r.length === 1 ? r[0]!.value : undefined;
}

/** A GET over TLS to a manager, with or without the store's client certificate. */
async function tlsGet(
  port: number,
  path: string,
  withCert: boolean,
): Promise<{ status: number; text: string }> {
  const [ca, cert, key] = await Promise.all(
    ['ca.pem', 'cert.pem', 'key.pem'].map((f) => readFile(join(th.certDir, f))),
  );
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, path, ca, ...(withCert ? { cert, key } : {}) },
      (res) => {
        let text = '';
        res.on('data', (b: Buffer) => {
          text += b.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  if (!existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: run scripts/setup.sh`);
  work = await mkdtemp(join(tmpdir(), 'shoal-shm-'));
  th = await bootTestHosts({
    prefix: 'shm',
    subnet: '10.251.0.0/24',
    hosts: [{ name: 'shm-1' }, { name: 'shm-2' }],
  });
  etcd = await startLocalEtcd(work, 'shm');
  const discovery = `etcd://${etcd.endpoints.join(',')}/shm`;
  const cert = await issueManagerCert(th.certDir, work, 'shm-manager');
  for (const h of th.hosts) {
    const mport = await freePort();
    agentMetricsPorts.push(mport);
    start(`agent ${h.name}`, [
      SHOAL,
      'join',
      '--advertise',
      `${h.ip}:2376`,
      '--heartbeat',
      '1s',
      '--ttl',
      '4s',
      '--metrics-addr',
      `127.0.0.1:${mport}`,
      discovery,
    ]);
  }
  plainMetricsPort = await freePort();
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    managerPorts.push(port);
    start(`manager ${i + 1}`, [
      SHOAL,
      'manage',
      '--tlsverify',
      ...cert.args,
      '--engine-refresh-min-interval=1s',
      '--engine-refresh-max-interval=2s',
      '--engine-failure-retry=1',
      '--heartbeat=1s',
      '--replication',
      '--replication-ttl=2s',
      '--advertise',
      `127.0.0.1:${port}`,
      '-H',
      `tcp://127.0.0.1:${port}`,
      ...(i === 0 ? ['--metrics-addr', `127.0.0.1:${plainMetricsPort}`] : []),
      discovery,
    ]);
    // the first manager becomes primary before the second starts
    if (i === 0)
      await waitFor('a primary', async () => (await tlsGet(port, '/info', true)).text.includes('"primary"'));
  }
  const promPort = await freePort();
  promUrl = `http://127.0.0.1:${promPort}`;
  const tls = {
    ca_file: join(th.certDir, 'ca.pem'),
    cert_file: join(th.certDir, 'cert.pem'),
    key_file: join(th.certDir, 'key.pem'),
  };
  // JSON is YAML: the scrape config as a reader of the README would write it
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    scrape_configs: [
      {
        job_name: 'shoal-managers',
        scheme: 'https',
        tls_config: tls,
        static_configs: [{ targets: managerPorts.map((p) => `127.0.0.1:${p}`) }],
      },
      {
        job_name: 'shoal-agents',
        static_configs: [{ targets: agentMetricsPorts.map((p) => `127.0.0.1:${p}`) }],
      },
    ],
  };
  await writeFile(join(work, 'prometheus.yml'), JSON.stringify(config, null, 2));
  start('prometheus', [
    PROMETHEUS,
    `--config.file=${join(work, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(work, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    '--log.level=warn',
  ]);
  await waitFor('prometheus ready', async () => (await fetch(`${promUrl}/-/ready`)).ok);
}, 240_000);

afterAll(async () => {
  try {
    for (const p of procs.reverse()) await p.stop().catch(() => undefined);
    await etcd?.remove();
  } finally {
    await th?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  }
}, 120_000);

describe('metrics in a real Prometheus', () => {
  it('scrapes both managers over TLS and counts the healthy nodes', async () => {
    await waitFor('both managers up in prometheus', async () => {
      const up = await query('up{job="shoal-managers"}');
      return up.length === 2 && up.every((s) => s.value === 1);
    });
    await waitFor('2 healthy nodes in shoal_nodes', async () => {
      const r = await query('shoal_nodes{state="healthy"}');
      return r.length === 2 && r.every((s) => s.value === 2);
    });
    expect(await scalar(`sum(shoal_manager_role{role="primary"})`)).toBe(1);
    expect(await scalar(`sum(shoal_manager_role{role="replica"})`)).toBe(1);
    expect(await scalar(`shoal_manager_role{role="primary",instance="127.0.0.1:${managerPorts[0]}"}`)).toBe(
      1,
    );
    // process defaults, prefixed
    expect((await query('shoal_process_resident_memory_bytes{job="shoal-managers"}')).length).toBe(2);
    // etcd calls by both clients on each manager
    expect(
      (await query('shoal_etcd_request_duration_seconds_count{job="shoal-managers",client="discovery"} > 0'))
        .length,
    ).toBe(2);
    expect(
      (await query('shoal_etcd_request_duration_seconds_count{job="shoal-managers",client="election"} > 0'))
        .length,
    ).toBe(2);
  });

  it('counts API requests by route template and status', async () => {
    await tlsGet(managerPorts[0]!, '/v1.41/containers/no-such-thing/json', true);
    await waitFor('the 404 in prometheus', async () => {
      const r = await query('shoal_api_requests_total{route="/containers/{name}/json",status="404"}');
      return r.length === 1 && r[0]!.value >= 1;
    });
    // the scrapes themselves are counted under their template (waited for: a scrape that timed out under load
    // leaves the series stale until the next one)
    await waitFor('the scrapes counted', async () => {
      const v = await scalar(
        `shoal_api_requests_total{route="/metrics",status="200",instance="127.0.0.1:${managerPorts[1]}"}`,
      );
      return (v ?? 0) > 0;
    });
    const routes = new Set((await query('shoal_api_requests_total')).map((s) => s.metric.route));
    expect([...routes].some((r) => r?.includes('no-such-thing'))).toBe(false);
  });

  it('answers /metrics only to clients with a certificate, and on the plain --metrics-addr', async () => {
    await expect(tlsGet(managerPorts[0]!, '/metrics', false)).rejects.toThrow();
    const plain = await fetch(`http://127.0.0.1:${plainMetricsPort}/metrics`);
    expect(plain.status).toBe(200);
    expect(await plain.text()).toContain('shoal_nodes{');
    expect((await fetch(`http://127.0.0.1:${plainMetricsPort}/info`)).status).toBe(404);
  });

  it('exports the agents heartbeats', async () => {
    await waitFor('heartbeats from both agents', async () => {
      const r = await query('shoal_agent_heartbeats_total > 1');
      return r.length === 2;
    });
    expect(await scalar('sum(shoal_agent_heartbeat_failures_total)')).toBe(0);
  });

  it('shows a stopped node as unhealthy', async () => {
    await th.hosts[1]!.stopEngine();
    await waitFor(
      'shoal_nodes to show the stopped node',
      async () => {
        const healthy = await query('shoal_nodes{state="healthy"}');
        const unhealthy = await query('shoal_nodes{state="unhealthy"}');
        return (
          healthy.length === 2 &&
          healthy.every((s) => s.value === 1) &&
          unhealthy.length === 2 &&
          unhealthy.every((s) => s.value === 1)
        );
      },
      60_000,
    );
    expect((await scalar('sum(shoal_engine_refresh_errors_total)')) ?? 0).toBeGreaterThan(0);
  });

  it('records a failover when the primary dies', async () => {
    const primary = procs.find((p) => p.name === 'manager 1')!;
    await primary.stop('SIGKILL');
    const replica = `127.0.0.1:${managerPorts[1]}`;
    await waitFor('the replica to become primary', async () => {
      return (await scalar(`shoal_manager_role{role="primary",instance="${replica}"}`)) === 1;
    });
    await waitFor('a failover in the histogram', async () => {
      return (
        ((await scalar(`shoal_manager_failover_duration_seconds_count{instance="${replica}"}`)) ?? 0) >= 1
      );
    });
    expect(
      (await scalar(`shoal_manager_leader_changes_total{instance="${replica}"}`)) ?? 0,
    ).toBeGreaterThanOrEqual(2);
  });
});
