import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueServerCert } from '../machine/certs/index.js';
import { bootTestHosts, type TestHosts } from '../testkit/hosts.js';
import { stopChild } from '../testkit/processes.js';
import { freePort } from '../util/free-port.js';

// API fuzzing of a real `shoal manage --tlsverify` over one real engine (prefix shz, subnet 10.243.0.0/24):
// thousands of requests made by fast-check from bad JSON, wrong types, huge and deeply nested bodies, invalid UTF-8,
// bad query values and strange names and IDs, plus a raw corpus (broken chunked encoding, bad upgrades, slowloris
// headers, oversized bodies and headers). Requirements: the manager never crashes; no 5xx that the engine itself
// does not give for the same request; 413 above the JSON body limit; RSS after the run within MAX_RSS_GROWTH of
// before; long-idle streams (logs -f, attach) outlive the listener's idle timeout.
const SHOAL = join(import.meta.dirname, '../../shoal');
const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');
const REQUESTS = 5000;
const CONCURRENCY = 12;
const SEED = Number(process.env.SHOAL_FUZZ_SEED ?? Date.now() % 1_000_000);
/** How much the manager's RSS may grow over the run. */
const MAX_RSS_GROWTH_MB = 96;
/** A request that gets no answer within this time counts as a hang. */
const HANG_MS = 10_000;

let th: TestHosts;
let work: string;
let manager: ChildProcess | undefined;
let managerLog = '';
let managerExit: number | null | undefined;
let port = 0;
let tlsOpts: { ca: Buffer; cert: Buffer; key: Buffer };
let engineAddr = '';
let agent: https.Agent;
let engineAgent: https.Agent;

interface Answer {
  status: number;
  text: string;
  ms: number;
}

interface FuzzRequest {
  method: string;
  path: string;
  body?: Buffer;
  headers: Record<string, string>;
}

function send(host: string, p: number, ag: https.Agent, r: FuzzRequest, retried = false): Promise<Answer> {
  const start = Date.now();
  return new Promise((resolve) => {
    // Bodies always carry their length (Node sends a DELETE body without one, which a server reads as the next
    // request: the connection is then rightly closed, and the following request on it would fail).
    const headers = r.body ? { ...r.headers, 'content-length': String(r.body.length) } : r.headers;
    const req = https.request(
      { host, port: p, method: r.method, path: r.path, agent: ag, headers, ...tlsOpts },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (b: Buffer) => {
          if (size < 65536) chunks.push(b);
          size += b.length;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString(),
            ms: Date.now() - start,
          }),
        );
        res.on('error', () => resolve({ status: -1, text: 'response error', ms: Date.now() - start }));
      },
    );
    req.setTimeout(HANG_MS, () => {
      req.destroy();
      resolve({ status: -2, text: 'hang', ms: Date.now() - start });
    });
    req.on('error', (e) => {
      // A kept-alive connection the server closed as idle just as this request went out on it: HTTP clients send
      // the request again on a new connection (Node documents the race; Go's client does the same).
      if (req.reusedSocket && !retried && (e as NodeJS.ErrnoException).code === 'ECONNRESET') {
        resolve(send(host, p, ag, r, true));
        return;
      }
      resolve({ status: -1, text: e.message, ms: Date.now() - start });
    });
    req.end(r.body);
  });
}

const toManager = (r: FuzzRequest) => send('127.0.0.1', port, agent, r);
const toEngine = (r: FuzzRequest) => send(engineAddr, 2376, engineAgent, r);

/** Writes raw bytes on a fresh TLS connection; resolves with what came back before the server closed it. */
function raw(bytes: (string | Buffer)[], opts: { gapMs?: number; waitMs?: number } = {}): Promise<string> {
  return new Promise((resolve) => {
    const sock = tls.connect({ host: '127.0.0.1', port, ...tlsOpts });
    let out = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      sock.destroy();
      resolve(out);
    };
    sock.on('data', (b: Buffer) => {
      out += b.toString('latin1');
    });
    sock.on('error', finish);
    sock.on('close', finish);
    sock.once('secureConnect', async () => {
      for (const b of bytes) {
        if (sock.destroyed) break;
        sock.write(b);
        if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
      }
      setTimeout(finish, opts.waitMs ?? 3000);
    });
  });
}

function statusOf(rawAnswer: string): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(rawAnswer);
  return m ? Number(m[1]) : 0;
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return Number(m?.[1] ?? 0) / 1024;
}

// ---- the generators ----

const strangeNames = fc.oneof(
  fc.constantFrom(
    '%',
    '%25',
    '%zz',
    'a%2Fb',
    '..',
    '../..',
    'zz-no-such',
    'shz-1/zz',
    'shz-1/',
    '/zz',
    'zz\u00e9',
    'zz%00',
    'zz%0a',
    'zz;x',
    'zz?x=1',
    'zz#frag',
    'z'.repeat(300),
    'zz%C3%28',
    'zz%ff%fe',
    'zz:tag@sha256:00',
    'zz...',
  ),
  fc.string({ minLength: 1, maxLength: 40 }).map((s) => `zz${encodeURIComponent(s)}`),
  fc.stringMatching(/^z[a-zA-Z0-9_.%-]{0,30}$/),
);

const queryValues = fc.oneof(
  fc.constantFrom(
    '{',
    '[]',
    '{"a":',
    'null',
    '{"label":{"a":true}}',
    '{"status":["nope"]}',
    '%',
    '-1',
    '1e999',
    '',
  ),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 30 }),
);

const jsonBodies = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc
    .record(
      {
        Image: fc.oneof(fc.constantFrom('busybox', 'zz-no-such-image', '', 'busybox:@@'), fc.anything()),
        Cmd: fc.oneof(fc.array(fc.string()), fc.anything()),
        Env: fc.oneof(
          fc.array(
            fc.constantFrom(
              'constraint:node==/[/',
              'constraint:node==~/(/',
              'constraint:node=x',
              'affinity:image==~zz',
              'constraint:zz==',
              'reschedule:nope',
            ),
          ),
          fc.anything(),
        ),
        Labels: fc.oneof(
          fc.dictionary(
            fc.constantFrom(
              'com.docker.swarm.constraints',
              'com.docker.swarm.affinities',
              'com.docker.swarm.reschedule-policies',
              'x',
            ),
            fc.oneof(
              fc.constantFrom('["node==/[/"]', '[', '"x"', '[1,2]', '["container\\!=zz"]'),
              fc.string(),
            ),
          ),
          fc.anything(),
        ),
        HostConfig: fc.oneof(
          fc.record(
            {
              Memory: fc.oneof(fc.integer(), fc.string(), fc.double()),
              CpuShares: fc.oneof(fc.integer(), fc.string()),
              NetworkMode: fc.oneof(fc.constantFrom('zz-none', 'shz-1/zz', 'container:zz'), fc.string()),
              PortBindings: fc.anything(),
            },
            { requiredKeys: [] },
          ),
          fc.anything(),
        ),
        NetworkingConfig: fc.anything(),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
);

const bodies = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 6, arbitrary: jsonBodies.map((s) => Buffer.from(s)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('{bad', '{"Image":', '"x"', '[]', 'null', '\u0000').map((s) => Buffer.from(s)),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      Buffer.from([0x7b, 0x22, 0x49, 0x6d, 0x61, 0x67, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      Buffer.from(`${'['.repeat(50_000)}${']'.repeat(50_000)}`),
      Buffer.from(`${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`),
      Buffer.from(
        JSON.stringify({ Image: 'busybox', Env: Array.from({ length: 20_000 }, (_, i) => `E${i}=x`) }),
      ),
      Buffer.from(JSON.stringify({ Image: 'x'.repeat(1_000_000) })),
    ),
  },
);

const paths = fc.oneof(
  fc
    .tuple(fc.constantFrom('GET', 'HEAD', 'DELETE'), strangeNames)
    .map(([m, n]) => [m, `/containers/${n}/json`] as const),
  fc
    .tuple(
      fc.constantFrom(
        'start',
        'stop',
        'restart',
        'kill',
        'pause',
        'unpause',
        'rename?name=zz2',
        'update',
        'resize',
      ),
      strangeNames,
    )
    .map(([a, n]) => ['POST', `/containers/${n}/${a}`] as const),
  fc
    .tuple(strangeNames, fc.boolean())
    .map(([n, f]) => ['DELETE', `/containers/${n}${f ? '?force=1&v=1' : ''}`] as const),
  fc
    .tuple(strangeNames, queryValues)
    .map(([n, q]) => ['GET', `/containers/${n}/logs?stdout=1&tail=${encodeURIComponent(q)}`] as const),
  fc
    .tuple(strangeNames, queryValues)
    .map(
      ([n, q]) =>
        ['POST', `/containers/create?name=${encodeURIComponent(n)}&x=${encodeURIComponent(q)}`] as const,
    ),
  fc.constant(['POST', '/containers/create'] as const),
  fc
    .tuple(queryValues, queryValues)
    .map(
      ([a, b]) =>
        ['GET', `/containers/json?all=${encodeURIComponent(a)}&filters=${encodeURIComponent(b)}`] as const,
    ),
  fc.tuple(queryValues).map(([q]) => ['GET', `/images/json?filters=${encodeURIComponent(q)}`] as const),
  fc.tuple(queryValues).map(([q]) => ['GET', `/networks?filters=${encodeURIComponent(q)}`] as const),
  fc.tuple(queryValues).map(([q]) => ['GET', `/volumes?filters=${encodeURIComponent(q)}`] as const),
  fc
    .tuple(fc.constantFrom('GET', 'DELETE'), strangeNames)
    .map(([m, n]) => [m, `/images/${n}${m === 'GET' ? '/json' : ''}`] as const),
  fc.tuple(strangeNames).map(([n]) => ['GET', `/images/${n}/history`] as const),
  fc.tuple(fc.constantFrom('GET', 'DELETE'), strangeNames).map(([m, n]) => [m, `/networks/${n}`] as const),
  fc
    .tuple(fc.constantFrom('connect', 'disconnect'), strangeNames)
    .map(([a, n]) => ['POST', `/networks/${n}/${a}`] as const),
  fc.constant(['POST', '/networks/create'] as const),
  fc.tuple(fc.constantFrom('GET', 'DELETE'), strangeNames).map(([m, n]) => [m, `/volumes/${n}`] as const),
  fc.constant(['POST', '/volumes/create'] as const),
  fc.tuple(strangeNames).map(([n]) => ['GET', `/exec/${n}/json`] as const),
  fc.tuple(strangeNames).map(([n]) => ['POST', `/containers/${n}/exec`] as const),
  // `until` always given (and never far ahead) so the stream ends: junk, or a past time
  fc
    .tuple(queryValues, fc.oneof(queryValues, fc.integer({ min: 0, max: 1_000_000 }).map(String)))
    .map(
      ([s, u]) =>
        ['GET', `/events?since=${encodeURIComponent(s)}&until=${encodeURIComponent(u || '1')}`] as const,
    ),
  fc.constantFrom(
    ['GET', '/_ping'] as const,
    ['GET', '/info'] as const,
    ['GET', '/version'] as const,
    ['GET', '/v1.99/info'] as const,
    ['GET', '/v0.1/version'] as const,
    ['GET', '/nope'] as const,
    ['GET', '//containers//json'] as const,
    ['POST', '/containers/json'] as const,
    ['PUT', '/containers/zz/archive?path=%2F'] as const,
    ['GET', '/containers/zz/archive?path=%zz'] as const,
  ),
);

const requests: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    paths,
    bodies,
    fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1', ''),
    fc.nat(99),
  )
  .map(([[method, path], body, type, v]) => {
    const headers: Record<string, string> = {};
    if (type) headers['content-type'] = type;
    const versioned = v < 30 ? `/v1.${v % 45}${path}` : path;
    return {
      method,
      path: versioned,
      headers,
      ...(body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body } : {}),
    };
  });

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  work = await mkdtemp(join(tmpdir(), 'shoal-shz-'));
  th = await bootTestHosts({ prefix: 'shz', subnet: '10.243.0.0/24', hosts: [{ name: 'shz-1' }] });
  const h = th.hosts[0]!;
  engineAddr = h.ip;
  await issueServerCert({
    caCertPath: join(th.certDir, 'ca.pem'),
    caKeyPath: join(th.certDir, 'ca-key.pem'),
    commonName: 'shz-manager',
    clientAuth: true,
    outCert: join(work, 'server.pem'),
    outKey: join(work, 'server-key.pem'),
  });
  const [ca, cert, key] = await Promise.all(
    ['ca.pem', 'cert.pem', 'key.pem'].map((f) => readFile(join(th.certDir, f))),
  );
  tlsOpts = { ca: ca!, cert: cert!, key: key! };
  agent = new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  engineAgent = new https.Agent({ keepAlive: true, maxSockets: 4 });
  port = await freePort();
  manager = spawn(
    SHOAL,
    [
      'manage',
      '--tlsverify',
      `--tlscacert=${join(th.certDir, 'ca.pem')}`,
      `--tlscert=${join(work, 'server.pem')}`,
      `--tlskey=${join(work, 'server-key.pem')}`,
      '-H',
      `tcp://127.0.0.1:${port}`,
      `nodes://${h.ip}:2376`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  manager.stdout?.on('data', (b: Buffer) => {
    managerLog = (managerLog + b.toString()).slice(-20_000);
  });
  manager.stderr?.on('data', (b: Buffer) => {
    managerLog = (managerLog + b.toString()).slice(-20_000);
  });
  manager.on('exit', (code) => {
    managerExit = code;
  });
  await th.loadBusybox(h);
  for (let i = 0; ; i++) {
    const r = await toManager({ method: 'GET', path: '/info', headers: {} });
    if (r.status === 200 && r.text.includes('Healthy')) break;
    if (i > 120) throw new Error(`manager not ready: ${r.status} ${r.text}\n${managerLog}`);
    await new Promise((res) => setTimeout(res, 500));
  }
}, 180_000);

afterAll(async () => {
  try {
    agent?.destroy();
    engineAgent?.destroy();
    // A failed case can leave long-lived streams open, which a graceful stop waits for: stopChild kills after 10 s,
    // so the hosts are always disposed of.
    if (manager) await stopChild(manager);
  } finally {
    await th?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  }
});

describe('API fuzzing (manager over one real engine)', () => {
  it('answers thousands of hostile requests without a crash, a hang, a 5xx of its own or unbounded memory', async () => {
    const pid = manager!.pid!;
    const started = Date.now();
    // An idle container with open stdin, and two long-idle streams on it: logs -f and an attach hijack.
    const created = await toManager({
      method: 'POST',
      path: '/containers/create?name=fz-idle',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(
        JSON.stringify({ Image: 'busybox', Cmd: ['cat'], OpenStdin: true, StdinOnce: false }),
      ),
    });
    expect(created.status, created.text).toBe(201);
    expect((await toManager({ method: 'POST', path: '/containers/fz-idle/start', headers: {} })).status).toBe(
      204,
    );
    let logsText = '';
    let logsClosed = false;
    const logsReq = https.request(
      {
        host: '127.0.0.1',
        port,
        path: '/containers/fz-idle/logs?follow=1&stdout=1',
        ...tlsOpts,
        agent: false,
      },
      (res) => {
        res.on('data', (b: Buffer) => {
          logsText += b.toString('latin1');
        });
        res.on('close', () => {
          logsClosed = true;
        });
      },
    );
    logsReq.on('error', () => {
      logsClosed = true;
    });
    logsReq.end();
    const attach = tls.connect({ host: '127.0.0.1', port, ...tlsOpts });
    let attachText = '';
    let attachClosed = false;
    attach.on('data', (b: Buffer) => {
      attachText += b.toString('latin1');
    });
    attach.on('close', () => {
      attachClosed = true;
    });
    attach.on('error', () => undefined);
    attach.write(
      'POST /containers/fz-idle/attach?stream=1&stdin=1&stdout=1 HTTP/1.1\r\nHost: shoal\r\n' +
        'Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
    );

    // Slowloris: headers trickled one byte every 2 s; the listener's header timeout must close them.
    const slow = Array.from({ length: 8 }, () =>
      raw(
        [
          'GET /_ping HTTP/1.1\r\n',
          ...'Host: shoal\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'.split(''),
        ],
        {
          gapMs: 2000,
          waitMs: 1000,
        },
      ).then((answer) => ({ answer, ms: Date.now() - started })),
    );

    // Warm-up, then the RSS baseline.
    for (let i = 0; i < 50; i++)
      await toManager({ method: 'GET', path: '/containers/json?all=1', headers: {} });
    const rssBefore = await rssMb(pid);

    // The raw corpus: each on its own connection.
    const corpus: [string, (string | Buffer)[], (status: number, answer: string) => boolean][] = [
      [
        'broken chunked encoding',
        [
          'POST /containers/create HTTP/1.1\r\nHost: shoal\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
        ],
        (s) => s === 400,
      ],
      [
        'chunked and content-length together',
        [
          'POST /containers/create HTTP/1.1\r\nHost: shoal\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
        ],
        (s) => s === 400,
      ],
      [
        'invalid UTF-8 in the request line',
        [Buffer.from('GET /containers/\xff\xfe/json HTTP/1.1\r\nHost: shoal\r\n\r\n', 'latin1')],
        (s) => s === 400 || s === 404,
      ],
      [
        'oversized headers',
        [`GET /_ping HTTP/1.1\r\nHost: shoal\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`],
        (s) => s === 431,
      ],
      ['garbage', ['\x16\x03\x01 not http at all\r\n\r\n'], (s) => s === 400],
      [
        'upgrade to an unknown container',
        [
          'POST /containers/zz-none/attach?stream=1 HTTP/1.1\r\nHost: shoal\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
        ],
        (s, a) => s === 404 && a.includes('"message"'),
      ],
      [
        'upgrade with a malformed escape',
        [
          'POST /containers/%zz/attach HTTP/1.1\r\nHost: shoal\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
        ],
        (s) => s === 400,
      ],
      [
        'upgrade of a plain route',
        ['GET /info HTTP/1.1\r\nHost: shoal\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'],
        (s) => s >= 400 && s < 500,
      ],
      [
        'exec start upgrade of an unknown exec',
        [
          'POST /exec/zz-none/start HTTP/1.1\r\nHost: shoal\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n{}',
        ],
        (s) => s === 404,
      ],
      [
        'a body shorter than its Content-Length',
        [
          'POST /containers/create HTTP/1.1\r\nHost: shoal\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"Image":',
        ],
        (s) => s === 0 || s === 400,
      ],
    ];
    const corpusResults: { name: string; status: number; ok: boolean }[] = [];
    for (const [name, bytes, check] of corpus) {
      const answer = await raw(bytes);
      const status = statusOf(answer);
      corpusResults.push({ name, status, ok: check(status, answer) });
    }

    // Above the JSON body limit (16 MiB): 413 with a message, on the create route and on network create.
    const big = Buffer.alloc(17 * 1024 * 1024, 0x20);
    const tooBig = [
      await toManager({
        method: 'POST',
        path: '/containers/create',
        headers: { 'content-type': 'application/json' },
        body: big,
      }),
      await toManager({
        method: 'POST',
        path: '/networks/create',
        headers: { 'content-type': 'application/json' },
        body: big,
      }),
    ];

    // The generated requests.
    const sample = fc.sample(requests, { numRuns: REQUESTS, seed: SEED });
    const statuses = new Map<number, number>();
    const own5xx: string[] = [];
    const sharedWithEngine: string[] = [];
    const hangs: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < sample.length) {
        const r = sample[next++]!;
        const a = await toManager(r);
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        if (a.status === -2) hangs.push(`${r.method} ${r.path}`);
        if (a.status >= 500 || a.status < 0) {
          // The manager calls engines without a version prefix: compare with the engine's answer to both forms.
          const e = await toEngine(r);
          const unversioned = r.path.replace(/^\/v\d+\.\d+(?=\/)/, '');
          const e2 = unversioned === r.path ? e : await toEngine({ ...r, path: unversioned });
          const engine5xx = (x: Answer) => x.status >= 500;
          if (engine5xx(e) || engine5xx(e2))
            sharedWithEngine.push(`${r.method} ${r.path} → ${a.status} (engine ${e.status}/${e2.status})`);
          else
            own5xx.push(
              `${r.method} ${r.path} → ${a.status} ${a.text.slice(0, 200)} (engine ${e.status}/${e2.status})`,
            );
        } else if (a.status >= 400 && r.method !== 'HEAD') {
          // every error answer is Engine-style JSON
          try {
            expect(typeof (JSON.parse(a.text) as { message?: unknown }).message).toBe('string');
          } catch {
            own5xx.push(
              `${r.method} ${r.path} → ${a.status} without a JSON message: ${a.text.slice(0, 100)}`,
            );
          }
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    // Let the idle streams pass the listener's idle timeout (60 s) before checking them.
    const idleFor = Date.now() - started;
    if (idleFor < 65_000) await new Promise((r) => setTimeout(r, 65_000 - idleFor));
    attach.write('still-here\n');
    for (let i = 0; i < 50 && !(attachText.includes('still-here') && logsText.includes('still-here')); i++)
      await new Promise((r) => setTimeout(r, 100));
    const slowResults = await Promise.all(slow);
    // Give the allocator a moment, then measure.
    await new Promise((r) => setTimeout(r, 2000));
    const rssAfter = await rssMb(pid);

    const summary = {
      seed: SEED,
      requests: sample.length,
      statuses: Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])),
      own5xx: own5xx.slice(0, 20),
      sharedWithEngine: sharedWithEngine.slice(0, 20),
      hangs: hangs.slice(0, 20),
      corpus: corpusResults,
      tooBig: tooBig.map((a) => `${a.status} ${a.text.trim()}`),
      slowloris: slowResults.map((s) => `${statusOf(s.answer)} after ${Math.round(s.ms / 1000)} s`),
      rssMb: { before: Math.round(rssBefore), after: Math.round(rssAfter) },
      idleStreams: { logsClosed, attachClosed, seconds: Math.round((Date.now() - started) / 1000) },
    };
    console.log(`fuzz summary: ${JSON.stringify(summary, null, 2)}`);

    expect(managerExit, managerLog).toBeUndefined();
    expect(own5xx).toEqual([]);
    expect(hangs).toEqual([]);
    expect(corpusResults.filter((c) => !c.ok)).toEqual([]);
    for (const a of tooBig) {
      expect(a.status).toBe(413);
      expect(JSON.parse(a.text)).toEqual({ message: 'request body is larger than 16777216 bytes' });
    }
    // slowloris connections were closed by the header timeout (30 s), with 408
    for (const s of slowResults) expect(statusOf(s.answer)).toBe(408);
    expect(rssAfter - rssBefore).toBeLessThan(MAX_RSS_GROWTH_MB);
    // the idle streams outlived the idle timeout and still carry data
    expect(logsClosed).toBe(false);
    expect(attachClosed).toBe(false);
    expect(attachText).toContain('still-here');
    expect(logsText).toContain('still-here');
    logsReq.destroy();
    attach.destroy();
  }, 300_000);
});
