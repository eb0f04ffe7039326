import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureStoreCerts, issueServerCert, regenerateStoreCerts } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'shk-certs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8' });
}

async function handshake(
  serverDir: string,
  clientCa: string,
  clientCert: string,
  clientKey: string,
): Promise<boolean> {
  const server = createServer(
    {
      ca: readFileSync(join(serverDir, 'ca.pem')),
      cert: readFileSync(join(serverDir, 'server.pem')),
      key: readFileSync(join(serverDir, 'server-key.pem')),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (s: TLSSocket) => s.end('ok'),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    return await new Promise<boolean>((resolve) => {
      const c = connect({
        host: '127.0.0.1',
        port,
        ca: readFileSync(clientCa),
        cert: readFileSync(clientCert),
        key: readFileSync(clientKey),
        servername: 'localhost',
      });
      let data = '';
      c.on('data', (d) => {
        data += d.toString();
      });
      c.on('end', () => resolve(data === 'ok'));
      c.on('error', () => resolve(false));
    });
  } finally {
    server.close();
  }
}

describe('store certificates', () => {
  const certDir = join(root, 'store', 'certs');
  const mdir = join(root, 'store', 'machines', 'm1');

  it('creates CA and client cert with modes 0700/0600 and is idempotent', async () => {
    const p = await ensureStoreCerts(certDir, { organization: 'alice' });
    expect(statSync(certDir).mode & 0o777).toBe(0o700);
    expect(statSync(p.caKeyPath).mode & 0o777).toBe(0o600);
    expect(statSync(p.clientKeyPath).mode & 0o777).toBe(0o600);
    const before = readFileSync(p.caCertPath, 'utf8');
    const clientBefore = readFileSync(p.clientCertPath, 'utf8');
    await ensureStoreCerts(certDir, { organization: 'alice' });
    expect(readFileSync(p.caCertPath, 'utf8')).toBe(before);
    expect(readFileSync(p.clientCertPath, 'utf8')).toBe(clientBefore);
    expect(readFileSync(p.caKeyPath, 'utf8')).toMatch(/BEGIN EC PRIVATE KEY/);
  });

  it('CA and client cert pass openssl checks', () => {
    const ca = join(certDir, 'ca.pem');
    const caText = openssl('x509', '-in', ca, '-noout', '-text');
    expect(caText).toMatch(/CA:TRUE/);
    expect(caText).toMatch(/Certificate Sign/);
    expect(caText).toMatch(/prime256v1|P-256/);
    expect(openssl('verify', '-CAfile', ca, '-purpose', 'sslclient', join(certDir, 'cert.pem'))).toMatch(
      /: OK/,
    );
    const clientText = openssl('x509', '-in', join(certDir, 'cert.pem'), '-noout', '-text');
    expect(clientText).toMatch(/TLS Web Client Authentication/);
    expect(clientText).not.toMatch(/TLS Web Server Authentication/);
    expect(clientText).toMatch(/O ?= ?\\?"?alice\.<bootstrap>/);
  });

  it('issues a server cert with IP + name + localhost + 127.0.0.1 + extra SANs and serverAuth only', async () => {
    await issueServerCert({
      caCertPath: join(certDir, 'ca.pem'),
      caKeyPath: join(certDir, 'ca-key.pem'),
      commonName: 'm1',
      ips: ['10.231.0.5'],
      dns: ['node.example', '192.0.2.9'],
      outCert: join(mdir, 'server.pem'),
      outKey: join(mdir, 'server-key.pem'),
    });
    expect(statSync(join(mdir, 'server-key.pem')).mode & 0o777).toBe(0o600);
    const text = openssl('x509', '-in', join(mdir, 'server.pem'), '-noout', '-text');
    for (const san of [
      'IP Address:10.231.0.5',
      'IP Address:127.0.0.1',
      'IP Address:192.0.2.9',
      'DNS:m1',
      'DNS:localhost',
      'DNS:node.example',
    ]) {
      expect(text).toContain(san);
    }
    expect(text).toMatch(/TLS Web Server Authentication/);
    expect(text).not.toMatch(/TLS Web Client Authentication/);
    const ca = join(certDir, 'ca.pem');
    expect(openssl('verify', '-CAfile', ca, '-purpose', 'sslserver', join(mdir, 'server.pem'))).toMatch(
      /: OK/,
    );
    // a server-only cert must not serve as a client cert
    expect(() =>
      openssl('verify', '-CAfile', ca, '-purpose', 'sslclient', join(mdir, 'server.pem')),
    ).toThrow();
  });

  it('adds clientAuth for swarm masters', async () => {
    const out = join(root, 'master');
    await issueServerCert({
      caCertPath: join(certDir, 'ca.pem'),
      caKeyPath: join(certDir, 'ca-key.pem'),
      commonName: 'master',
      clientAuth: true,
      outCert: join(out, 'server.pem'),
      outKey: join(out, 'server-key.pem'),
    });
    const text = openssl('x509', '-in', join(out, 'server.pem'), '-noout', '-text');
    expect(text).toMatch(/TLS Web Server Authentication, TLS Web Client Authentication/);
  });

  it('a TLS handshake with the client cert succeeds; another CA is rejected', async () => {
    writeFileSync(join(mdir, 'ca.pem'), readFileSync(join(certDir, 'ca.pem')));
    expect(
      await handshake(mdir, join(certDir, 'ca.pem'), join(certDir, 'cert.pem'), join(certDir, 'key.pem')),
    ).toBe(true);
    const other = join(root, 'other-certs');
    await ensureStoreCerts(other, { organization: 'mallory' });
    expect(
      await handshake(mdir, join(other, 'ca.pem'), join(other, 'cert.pem'), join(other, 'key.pem')),
    ).toBe(false);
    expect(
      await handshake(mdir, join(certDir, 'ca.pem'), join(other, 'cert.pem'), join(other, 'key.pem')),
    ).toBe(false);
  });

  it('works with RSA keys too', async () => {
    const dir = join(root, 'rsa');
    await ensureStoreCerts(dir, { alg: 'rsa-2048' });
    expect(readFileSync(join(dir, 'key.pem'), 'utf8')).toMatch(/BEGIN RSA PRIVATE KEY/);
    expect(openssl('verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'cert.pem'))).toMatch(/: OK/);
  });

  it('refuses a CA key without its certificate', async () => {
    const dir = join(root, 'orphan');
    const p = await ensureStoreCerts(dir);
    rmSync(p.caCertPath);
    await expect(ensureStoreCerts(dir)).rejects.toThrow(/refusing to overwrite/);
  });

  it('regenerateStoreCerts makes a new CA and client cert', async () => {
    const dir = join(root, 'regen');
    const p = await ensureStoreCerts(dir);
    const oldCa = readFileSync(p.caCertPath, 'utf8');
    await regenerateStoreCerts(dir);
    expect(readFileSync(p.caCertPath, 'utf8')).not.toBe(oldCa);
    expect(openssl('verify', '-CAfile', p.caCertPath, p.clientCertPath)).toMatch(/: OK/);
  });

  it('re-creates an expired client cert', async () => {
    const dir = join(root, 'expired');
    const past = { now: () => Date.now() - 1200 * 86_400_000, sleep: async () => {} };
    const p = await ensureStoreCerts(dir, { clock: past });
    const old = readFileSync(p.clientCertPath, 'utf8');
    await ensureStoreCerts(dir);
    expect(readFileSync(p.clientCertPath, 'utf8')).not.toBe(old);
    expect(openssl('verify', '-CAfile', p.caCertPath, p.clientCertPath)).toMatch(/: OK/);
  });
});
