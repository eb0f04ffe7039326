import 'reflect-metadata';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueLeaf } from '../machine/certs/index.js';
import { goFileError, loadManageTls } from './manage-tls.js';

let dir: string;
const f = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-manage-tls-'));
  const ca = await createCa({ organization: 'shoal-test' });
  const server = await issueLeaf(ca, {
    organization: 'shoal-test',
    serverAuth: true,
    clientAuth: false,
    hosts: ['127.0.0.1'],
  });
  await writeFile(f('ca.pem'), ca.certPem);
  await writeFile(f('cert.pem'), server.certPem);
  await writeFile(f('key.pem'), server.keyPem);
  await writeFile(f('other-key.pem'), ca.keyPem);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loadManageTls', () => {
  it('reads a matching pair and the CA', async () => {
    const t = await loadManageTls({ verify: true, cert: f('cert.pem'), key: f('key.pem'), ca: f('ca.pem') });
    expect(t.ca?.toString()).toContain('BEGIN CERTIFICATE');
  });
  it("answers Swarm's text for a missing key or a key of another certificate", async () => {
    await expect(loadManageTls({ verify: false, cert: f('cert.pem'), key: f('nope.pem') })).rejects.toThrow(
      `Couldn't load X509 key pair (${f('cert.pem')}, ${f('nope.pem')}): open ${f('nope.pem')}: no such file or directory. Key encrypted?`,
    );
    await expect(
      loadManageTls({ verify: false, cert: f('cert.pem'), key: f('other-key.pem') }),
    ).rejects.toThrow(/^Couldn't load X509 key pair \(.*\): .+\. Key encrypted\?$/);
  });
  it("answers Swarm's text for a CA that cannot be read", async () => {
    await expect(
      loadManageTls({ verify: true, cert: f('cert.pem'), key: f('key.pem'), ca: f('ca-missing.pem') }),
    ).rejects.toThrow(`Couldn't read CA certificate: open ${f('ca-missing.pem')}: no such file or directory`);
  });
});

describe('goFileError', () => {
  it("words node's file errors as Go does", () => {
    expect(goFileError(new Error("EACCES: permission denied, open '/etc/x'"))).toBe(
      'open /etc/x: permission denied',
    );
    expect(goFileError(new Error('something else'))).toBe('something else');
  });
});
