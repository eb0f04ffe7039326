import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../kv/index.js';
import { eventually } from '../testkit/discovery.js';
import { EtcdDiscovery } from './etcd.js';

let dir: string;
let etcd: ChildProcess | undefined;
let endpoint: string;
let tls: Record<string, string>;

/** CA, server (IP SAN 127.0.0.1) and client certificates made with the openssl CLI. */
async function makeCerts(): Promise<void> {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  await writeFile(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  await writeFile(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  ssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca-key.pem');
  ssl('req', '-x509', '-new', '-key', 'ca-key.pem', '-subj', '/CN=shd-ca', '-days', '2', '-out', 'ca.pem');
  for (const who of ['server', 'client']) {
    ssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${who}-key.pem`);
    ssl('req', '-new', '-key', `${who}-key.pem`, '-subj', `/CN=shd-${who}`, '-out', `${who}.csr`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${who}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${who}.ext`,
      '-out',
      `${who}.pem`,
    );
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shd-etcdtls-'));
  await makeCerts();
  const client = await freePort();
  const peer = await freePort();
  endpoint = `127.0.0.1:${client}`;
  etcd = spawn(
    'etcd',
    [
      '--name',
      'shd-tls',
      '--data-dir',
      join(dir, 'data'),
      '--listen-client-urls',
      `https://${endpoint}`,
      '--advertise-client-urls',
      `https://${endpoint}`,
      '--listen-peer-urls',
      `http://127.0.0.1:${peer}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${peer}`,
      '--initial-cluster',
      `shd-tls=http://127.0.0.1:${peer}`,
      '--cert-file',
      join(dir, 'server.pem'),
      '--key-file',
      join(dir, 'server-key.pem'),
      '--trusted-ca-file',
      join(dir, 'ca.pem'),
      '--client-cert-auth',
    ],
    { stdio: 'ignore' },
  );
  tls = {
    'kv.cacertfile': join(dir, 'ca.pem'),
    'kv.certfile': join(dir, 'client.pem'),
    'kv.keyfile': join(dir, 'client-key.pem'),
  };
});

afterAll(async () => {
  if (etcd?.pid && etcd.exitCode === null) {
    etcd.kill('SIGTERM');
    await new Promise((r) => etcd?.once('exit', r));
  }
  await rm(dir, { recursive: true, force: true });
});

describe('etcd:// discovery over TLS (kv.cacertfile/certfile/keyfile)', () => {
  it('registers and lists with a client certificate', async () => {
    const d = new EtcdDiscovery(`${endpoint}/tls`, { heartbeatMs: 1000, ttlMs: 10_000, options: tls });
    try {
      await eventually(
        async () => {
          await d.register('10.235.0.50:2376');
          return true;
        },
        60_000,
        'TLS etcd to accept a registration',
      );
      expect(await d.list()).toEqual(['10.235.0.50:2376']);
    } finally {
      await d.close();
    }
  });

  it('fails without the TLS options', async () => {
    const d = new EtcdDiscovery(`${endpoint}/tls`, { heartbeatMs: 1000, ttlMs: 10_000 });
    try {
      await expect(d.list()).rejects.toThrow(/cannot list tls\/docker\/swarm\/nodes in etcd/);
    } finally {
      await d.close();
    }
  });
});
