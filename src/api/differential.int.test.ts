import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueServerCert } from '../machine/certs/index.js';
import { bootTestHosts, type RunResult, runCommand, type TestHosts } from '../testkit/hosts.js';
import { freePort } from '../util/free-port.js';
import { CONTAINER_FILTER_KEYS } from './filters/container-filters.js';
import { IMAGE_FILTER_KEYS } from './filters/image-filters.js';
import { NETWORK_FILTER_KEYS } from './filters/network-filters.js';
import { VOLUME_FILTER_KEYS } from './filters/volume-filters.js';

// The differential harness: one real engine (prefix shx, subnet 10.248.0.0/24) and a real `shoal manage` over it.
// Every case sends the same request through the manager and straight to the engine and compares the answers, with
// node prefixes and the manager's documented additions (node-prefixed names in lists, port IPs rewritten to the node
// address, the Node field) taken out. Requests go over the API in parallel batches; the CLI cases run the same
// filters through both docker CLIs to cover what the CLIs send.
const CLIS = ['/usr/bin/docker', '/usr/local/bin/docker'] as const;
const SHOAL = join(import.meta.dirname, '../../shoal');
const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');
const V = '/v1.41';

let th: TestHosts;
let work: string;
let manager: ChildProcess | undefined;
let managerLog = '';
let port = 0;
let node = '';
let agent: https.Agent;
const ids: Record<string, string> = {};

interface Answer {
  status: number;
  body: unknown;
  text: string;
}

function request(
  target: 'manager' | 'engine',
  method: string,
  path: string,
  body?: unknown,
  contentType: string | null = 'application/json',
): Promise<Answer> {
  const host = target === 'manager' ? '127.0.0.1' : (th.hosts[0]?.ip ?? '');
  const data = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = {};
  if (data !== undefined && contentType !== null) headers['Content-Type'] = contentType;
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host,
        port: target === 'manager' ? port : 2376,
        method,
        path,
        agent,
        headers,
      },
      (res) => {
        let text = '';
        res.on('data', (b: Buffer) => {
          text += b.toString();
        });
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // a plain-text answer stays text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function engineDocker(args: string[], cli: string = CLIS[1]): Promise<string> {
  const r = await runCommand([cli, ...args], { env: th.hosts[0]?.env ?? {} });
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

function managerDocker(args: string[], cli: string): Promise<RunResult> {
  return runCommand([cli, ...args], {
    env: { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: th.certDir },
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, tries = 120): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}; manager log:\n${managerLog.slice(-3000)}`);
}

/** Takes the node prefix off a name the manager shows (`shx-1/web` → `web`, `/shx-1/web` → `/web`). */
function unprefix(name: string): string {
  if (name.startsWith(`/${node}/`)) return name.slice(node.length + 1);
  if (name.startsWith(`${node}/`)) return name.slice(node.length + 1);
  return name;
}

type Shape = 'containers' | 'images' | 'networks' | 'volumes' | 'inspect' | 'raw';

/** Reduces an answer to what both targets must agree on. */
function normalize(shape: Shape, a: Answer): unknown {
  if (a.status >= 400) {
    const message = (a.body as { message?: string })?.message ?? a.text;
    return { status: a.status, message };
  }
  const body = a.body as Record<string, unknown>;
  switch (shape) {
    case 'containers':
      return (body as unknown as Record<string, unknown>[])
        .map((c) => ({
          Id: c.Id,
          Names: (c.Names as string[]).map(unprefix),
          Image: c.Image,
          ImageID: c.ImageID,
          Command: c.Command,
          Created: c.Created,
          Labels: c.Labels,
          State: c.State,
          Ports: ((c.Ports ?? []) as { PrivatePort: number; PublicPort?: number; Type: string }[])
            .map((p) => `${p.PublicPort ?? ''}->${p.PrivatePort}/${p.Type}`)
            // the manager lists a port bound on IPv4 and IPv6 once (both become the node's address)
            .filter((p, i, all) => all.indexOf(p) === i)
            .sort(),
          Mounts: c.Mounts,
        }))
        .sort((x, y) => String(x.Id).localeCompare(String(y.Id)));
    case 'images':
      return (body as unknown as Record<string, unknown>[])
        .map((i): Record<string, unknown> => ({ ...i, Containers: undefined }))
        .sort((x, y) => String(x.Id ?? '').localeCompare(String(y.Id ?? '')));
    case 'networks':
      return (body as unknown as Record<string, unknown>[])
        .map(
          (n): Record<string, unknown> => ({ ...n, Name: unprefix(String(n.Name)), Containers: undefined }),
        )
        .sort((x, y) => String(x.Id ?? '').localeCompare(String(y.Id ?? '')));
    case 'volumes':
      return {
        Volumes: ((body.Volumes ?? []) as Record<string, unknown>[])
          .map((v) => ({ ...v, Name: unprefix(String(v.Name)) }))
          .sort((x, y) => String(x.Name).localeCompare(String(y.Name))),
        Warnings: body.Warnings ?? null,
      };
    case 'inspect':
      return body;
    case 'raw':
      return a.text;
  }
}

interface Case {
  /** The request's method (default GET). */
  readonly method?: 'GET' | 'POST' | 'DELETE';
  /** What the manager is asked. */
  readonly path: string;
  /** A JSON request body, sent to both. */
  readonly body?: unknown;
  /** The body's `Content-Type` (default `application/json`; null sends none). */
  readonly contentType?: string | null;
  /** What the engine is asked, when it differs (a node prefix or `node` filter taken out). */
  readonly enginePath?: string;
  readonly shape: Shape;
  /**
   * A documented departure: shoal keeps classic Swarm's answer where it differs from the engine's, so the manager
   * must give exactly this (status, and message where one is given) and the engine must fail too.
   */
  readonly swarm?: { status: number; message?: string };
  /** Only the status is compared (Go's JSON parser words its errors its own way). */
  readonly statusOnly?: boolean;
}

const f = (o: Record<string, string[]>) => encodeURIComponent(JSON.stringify(o));

function containerCases(): Case[] {
  const l = (o: Record<string, string[]>, all = true): Case => ({
    path: `${V}/containers/json?${all ? 'all=1&' : ''}filters=${f(o)}`,
    shape: 'containers',
  });
  const n = node;
  return [
    { path: `${V}/containers/json`, shape: 'containers' },
    { path: `${V}/containers/json?all=1`, shape: 'containers' },
    l({ id: [ids.run1?.slice(0, 12) ?? ''] }),
    l({ name: ['run1'] }),
    l({ name: ['^/ex'] }),
    l({ label: ['shx'] }),
    l({ label: ['shx=1'] }),
    l({ label: ['shx=2'] }),
    l({ exited: ['3'] }),
    l({ exited: ['0'] }),
    l({ exited: ['x'] }),
    l({ status: ['exited'] }),
    l({ status: ['created'] }),
    l({ status: ['running'] }, false),
    l({ status: ['exited', 'created'] }),
    l({ status: ['foo'] }),
    l({ ancestor: ['busybox'] }),
    l({ ancestor: ['busybox:latest'] }),
    l({ ancestor: [ids.busybox?.slice(7, 19) ?? ''] }),
    l({ ancestor: ['shx/labelled:1'] }),
    l({ ancestor: ['nope'] }),
    l({ before: ['ex3'] }),
    l({ since: ['ex3'] }),
    l({ before: ['nope'] }),
    l({ since: ['nope'] }),
    l({ volume: ['shxvol'] }),
    l({ volume: ['/data'] }),
    l({ network: ['shxnet'] }),
    l({ network: [ids.shxnet ?? ''] }),
    l({ network: ['bridge'] }),
    l({ network: ['nope'] }),
    l({ publish: ['8080'] }),
    l({ publish: ['8080/tcp'] }),
    l({ publish: ['8080/udp'] }),
    l({ publish: ['80'] }),
    l({ publish: ['x'] }),
    l({ expose: ['80'] }),
    l({ expose: ['90'] }),
    l({ expose: ['80/tcp'] }),
    l({ expose: ['8000-8100'] }),
    l({ expose: ['x'] }),
    l({ health: ['healthy'] }),
    l({ health: ['none'] }),
    l({ health: ['starting', 'unhealthy'] }),
    l({ health: ['foo'] }),
    l({ 'is-task': ['true'] }),
    l({ 'is-task': ['false'] }),
    l({ 'is-task': ['x'] }),
    l({ isolation: ['default'] }),
    l({ isolation: ['foo'] }),
    l({ foo: ['bar'] }),
    l({ status: ['exited'], label: ['shx'] }),
    { path: `${V}/containers/json?all=1&filters=%7Bnope`, shape: 'containers', statusOnly: true },
    { path: `${V}/containers/json?all=1&filters=null`, shape: 'containers' },
    { path: `${V}/containers/json?all=1&filters=${encodeURIComponent('{"oG":null}')}`, shape: 'containers' },
    { path: `${V}/containers/json?all=1&filters=${f({ status: ['exited'] })}`, shape: 'containers' },
    { path: `${V}/containers/json?limit=2`, shape: 'containers' },
    // Swarm's additions, compared with the engine's answer without them
    {
      path: `${V}/containers/json?all=1&filters=${f({ node: [n] })}`,
      enginePath: `${V}/containers/json?all=1`,
      shape: 'containers',
    },
    {
      path: `${V}/containers/json?all=1&filters=${f({ network: [`${n}/shxnet`] })}`,
      enginePath: `${V}/containers/json?all=1&filters=${f({ network: ['shxnet'] })}`,
      shape: 'containers',
    },
  ];
}

function imageCases(): Case[] {
  const l = (o: Record<string, string[]>): Case => ({
    path: `${V}/images/json?filters=${f(o)}`,
    shape: 'images',
  });
  return [
    { path: `${V}/images/json`, shape: 'images' },
    { path: `${V}/images/json?all=1`, shape: 'images' },
    l({ dangling: ['true'] }),
    l({ dangling: ['false'] }),
    // Swarm's own check and text, whatever the value (the engine: 400 `Invalid filter 'dangling=[x]'`)
    { ...l({ dangling: ['x'] }), swarm: { status: 400, message: "Invalid filter: 'type'='dangling'" } },
    { ...l({ dangling: ['1'] }), swarm: { status: 400, message: "Invalid filter: 'type'='dangling'" } },
    l({ label: ['shx'] }),
    l({ label: ['shx=1'] }),
    l({ before: ['shx/labelled:1'] }),
    l({ since: ['busybox:latest'] }),
    l({ before: ['nope'] }),
    l({ since: ['nope'] }),
    l({ reference: ['busybox'] }),
    l({ reference: ['shx/*'] }),
    l({ reference: ['shx/labelled:1'] }),
    l({ reference: ['*:1'] }),
    l({ foo: ['1'] }),
    { path: `${V}/images/json?filter=busybox`, shape: 'images' },
    { path: `${V}/images/json?filters=%7Bnope`, shape: 'images', statusOnly: true },
    { path: `${V}/images/json?filters=null`, shape: 'images' },
    { path: `${V}/images/json?filters=${encodeURIComponent('{"oG":null}')}`, shape: 'images' },
    {
      path: `${V}/images/json?filters=${f({ node: [node] })}`,
      enginePath: `${V}/images/json`,
      shape: 'images',
    },
  ];
}

function networkCases(): Case[] {
  const l = (o: Record<string, string[]>): Case => ({
    path: `${V}/networks?filters=${f(o)}`,
    shape: 'networks',
  });
  return [
    { path: `${V}/networks`, shape: 'networks' },
    l({ driver: ['bridge'] }),
    l({ driver: ['null'] }),
    l({ id: [ids.shxnet?.slice(0, 10) ?? ''] }),
    l({ label: ['shx'] }),
    l({ label: ['shx=1'] }),
    l({ name: ['shxnet'] }),
    l({ name: ['shx'] }),
    l({ scope: ['local'] }),
    l({ scope: ['swarm'] }),
    l({ scope: ['foo'] }),
    l({ type: ['builtin'] }),
    l({ type: ['custom'] }),
    { ...l({ type: ['foo'] }), swarm: { status: 400, message: "Invalid filter: 'type'='foo'" } },
    l({ dangling: ['true'] }),
    l({ dangling: ['false'] }),
    l({ dangling: ['x'] }),
    l({ foo: ['1'] }),
    // dockerd 20.10 answers malformed network filters with a 500 (its volumes, containers and images with a 400);
    // shoal answers 400 like classic Swarm, a departure the README lists.
    { path: `${V}/networks?filters=%7Bnope`, shape: 'networks', swarm: { status: 400 } },
    { path: `${V}/networks?filters=null`, shape: 'networks' },
    { path: `${V}/networks?filters=${encodeURIComponent('{"oG":null}')}`, shape: 'networks' },
    {
      path: `${V}/networks?filters=${f({ node: [node] })}`,
      enginePath: `${V}/networks`,
      shape: 'networks',
    },
  ];
}

function volumeCases(): Case[] {
  const l = (o: Record<string, string[]>): Case => ({
    path: `${V}/volumes?filters=${f(o)}`,
    shape: 'volumes',
  });
  return [
    { path: `${V}/volumes`, shape: 'volumes' },
    l({ dangling: ['true'] }),
    l({ dangling: ['false'] }),
    l({ dangling: ['x'] }),
    l({ driver: ['local'] }),
    l({ label: ['shx'] }),
    l({ label: ['shx=1'] }),
    l({ name: ['shxvol'] }),
    l({ name: ['shx'] }),
    l({ foo: ['1'] }),
    { path: `${V}/volumes?filters=%7Bnope`, shape: 'volumes', statusOnly: true },
    { path: `${V}/volumes?filters=null`, shape: 'volumes' },
    { path: `${V}/volumes?filters=${encodeURIComponent('{"oG":null}')}`, shape: 'volumes' },
    {
      path: `${V}/volumes?filters=${f({ node: [node] })}`,
      enginePath: `${V}/volumes`,
      shape: 'volumes',
    },
  ];
}

function inspectCases(): Case[] {
  const i = (path: string, enginePath?: string): Case => ({
    path: `${V}${path}`,
    shape: 'inspect',
    ...(enginePath ? { enginePath: `${V}${enginePath}` } : {}),
  });
  return [
    i('/networks/bridge'),
    i('/networks/shxnet'),
    i(`/networks/${ids.shxnet}`),
    i(`/networks/${ids.shxnet?.slice(0, 12)}`),
    i(`/networks/${node}/bridge`, '/networks/bridge'),
    i(`/networks/${node}/shxnet`, '/networks/shxnet'),
    { ...i('/networks/nope'), swarm: { status: 404, message: 'No such network: nope' } },
    i('/volumes/shxvol'),
    i(`/volumes/${node}/shxvol`, '/volumes/shxvol'),
    i(`/volumes/${ids.anon}`),
    i(`/volumes/${node}/${ids.anon}`, `/volumes/${ids.anon}`),
    { ...i('/volumes/nope'), swarm: { status: 404, message: 'No such volume: nope' } },
    i('/images/busybox/json'),
    i('/images/busybox:latest/json'),
    i(`/images/${ids.busybox}/json`),
    i('/images/shx/labelled:1/json'),
    { ...i('/images/nope/json'), swarm: { status: 404, message: 'No such image: nope' } },
    i('/images/busybox/history'),
    { ...i('/images/nope/history'), swarm: { status: 404, message: 'No such image: nope' } },
  ];
}

/** Build routes Swarm checked itself. */
function buildCases(): Case[] {
  return [
    // Swarm's status with the engine's text (dockerd 20.10 answers the same text with a 500)
    {
      method: 'POST',
      path: `${V}/build/cancel`,
      shape: 'raw',
      swarm: { status: 400, message: 'build ID not provided' },
    },
    {
      method: 'POST',
      path: `${V}/build/cancel?id=`,
      shape: 'raw',
      swarm: { status: 400, message: 'build ID not provided' },
    },
    // no build by that ID runs anywhere: the engine answers 200, and so does the manager (it asked every node)
    { method: 'POST', path: `${V}/build/cancel?id=shx-nope`, shape: 'raw' },
    // the engine: `no upgrade proto in request` (checked with Swarm's texts below)
    {
      method: 'POST',
      path: `${V}/session`,
      shape: 'raw',
      swarm: { status: 400, message: 'no session ID provided' },
    },
  ];
}

/**
 * Removing a volume or network a container uses: the engine's status and text pass through (Swarm answered 500 with
 * the engine's text; its `volume mounted in container` / `network attached to container` were the container list's
 * internal match markers, never an answer).
 */
function inUseCases(): Case[] {
  return [
    { method: 'DELETE', path: `${V}/volumes/shxvol`, shape: 'raw' },
    { method: 'DELETE', path: `${V}/networks/shxnet`, shape: 'raw' },
  ];
}

/**
 * A missing object where Swarm's handler answered itself (the engine says `No such container: nope`, `get nope: no
 * such volume`, `network nope not found`, `No such image: nope:latest`), and an exec without a command, which Swarm
 * refused with the engine's own text.
 */
function missingCases(): Case[] {
  const swarm = (message: string) => ({ status: 404, message });
  return [
    { path: `${V}/containers/nope/json`, shape: 'raw', swarm: swarm('No such container nope') },
    {
      method: 'POST',
      path: `${V}/containers/nope/start`,
      shape: 'raw',
      swarm: swarm('No such container nope'),
    },
    {
      method: 'POST',
      path: `${V}/containers/nope/exec`,
      body: { Cmd: ['true'] },
      shape: 'raw',
      swarm: swarm('No such container nope'),
    },
    {
      method: 'DELETE',
      path: `${V}/containers/nope`,
      shape: 'raw',
      swarm: swarm('Container nope not found'),
    },
    { method: 'DELETE', path: `${V}/images/nope`, shape: 'raw', swarm: swarm('No such image nope') },
    { method: 'DELETE', path: `${V}/networks/nope`, shape: 'raw', swarm: swarm('No such network nope') },
    { method: 'DELETE', path: `${V}/volumes/nope`, shape: 'raw', swarm: swarm('No such volume nope') },
    // proxied: the engine's text, as Swarm's proxy gave it
    { method: 'POST', path: `${V}/containers/nope/stop`, shape: 'raw' },
    { method: 'POST', path: `${V}/containers/run1/exec`, body: {}, shape: 'raw' },
  ];
}

/**
 * JSON bodies sent as another type, or with no type: the manager reads these bodies itself and calls engines with
 * its own JSON, so it must refuse them as the engine does, before anything is created.
 */
function contentTypeCases(): Case[] {
  const post = (path: string, body: unknown, contentType: string | null): Case => ({
    method: 'POST',
    path: `${V}${path}`,
    body,
    contentType,
    shape: 'raw',
  });
  return [
    post('/containers/create?name=shx-ct1', { Image: 'busybox', Cmd: ['true'] }, 'text/plain'),
    post('/containers/create?name=shx-ct2', { Image: 'busybox', Cmd: ['true'] }, null),
    post('/containers/create?name=shx-ct3', { Image: 'busybox', Cmd: 'x' }, 'application/json; charset'),
    post('/containers/run1/exec', { Cmd: ['true'] }, 'text/plain'),
    post('/containers/run1/exec', { Cmd: ['true'] }, null),
    post('/networks/create', { Name: 'shx-ct' }, 'text/plain'),
    post('/networks/shxnet/connect', { Container: 'run1' }, 'text/plain'),
    post('/networks/shxnet/disconnect', { Container: 'run1' }, null),
    post('/volumes/create', { Name: 'shx-ct' }, 'text/plain'),
    // a charset is fine: both go on to refuse an exec without a command
    post('/containers/run1/exec', {}, 'application/json; charset=latin1'),
  ];
}

async function differ(cases: readonly Case[]): Promise<string[]> {
  const diffs: string[] = [];
  const batch = 8;
  for (let s = 0; s < cases.length; s += batch) {
    await Promise.all(
      cases.slice(s, s + batch).map(async (c) => {
        const [m, e] = await Promise.all([
          request('manager', c.method ?? 'GET', c.path, c.body, c.contentType),
          request('engine', c.method ?? 'GET', c.enginePath ?? c.path, c.body, c.contentType),
        ]);
        const nm = normalize(c.shape, m);
        const ne = normalize(c.shape, e);
        const same = c.swarm
          ? (c.swarm.message === undefined
              ? m.status === c.swarm.status
              : JSON.stringify(nm) === JSON.stringify(c.swarm)) && e.status >= 400
          : c.statusOnly
            ? m.status === e.status
            : JSON.stringify(nm) === JSON.stringify(ne);
        if (!same) {
          diffs.push(
            `${decodeURIComponent(c.path)}\n  manager ${m.status}: ${JSON.stringify(nm).slice(0, 600)}\n  engine  ${e.status}: ${JSON.stringify(ne).slice(0, 600)}`,
          );
        }
      }),
    );
  }
  return diffs;
}

/** A docker CLI command run against both targets; stdout lines are compared with node prefixes taken off. */
interface CliCase {
  readonly args: readonly string[];
  /** What the engine is asked, when it differs (a node prefix taken out). */
  readonly engineArgs?: readonly string[];
  /** Where shoal keeps Swarm's text, the manager's stderr must contain it (the engine must fail too). */
  readonly swarm?: string;
}

function cliCases(): CliCase[] {
  const id = ['--format', '{{.ID}}'];
  return [
    { args: ['ps', '-a', '--filter', 'status=exited', ...id] },
    { args: ['ps', '-a', '--filter', 'network=shxnet', ...id] },
    {
      args: ['ps', '-a', '--filter', `network=${node}/shxnet`, ...id],
      engineArgs: ['ps', '-a', '--filter', 'network=shxnet', ...id],
    },
    { args: ['ps', '--filter', 'health=healthy', ...id] },
    { args: ['ps', '--filter', 'publish=8080', ...id] },
    { args: ['ps', '-a', '--filter', 'volume=shxvol', '--filter', 'label=shx', ...id] },
    { args: ['ps', '-a', '--filter', 'ancestor=busybox', ...id] },
    { args: ['ps', '--filter', 'foo=bar'] },
    { args: ['images', '--filter', 'dangling=true', '-q'] },
    { args: ['images', '--filter', 'dangling=maybe', '-q'], swarm: "Invalid filter: 'type'='dangling'" },
    { args: ['images', '--filter', 'reference=shx/*', ...id] },
    { args: ['images', '--filter', 'before=nope', '-q'] },
    { args: ['network', 'ls', '--filter', 'type=custom', ...id] },
    { args: ['network', 'ls', '--filter', 'type=foo'], swarm: "Invalid filter: 'type'='foo'" },
    { args: ['volume', 'ls', '--filter', 'dangling=true', '--format', '{{.Name}}'] },
    { args: ['volume', 'ls', '--filter', 'name=shxvol', '-q'] },
    { args: ['network', 'inspect', '--format', '{{.Name}} {{.Id}} {{.Driver}}', 'bridge'] },
    { args: ['volume', 'inspect', '--format', '{{.Name}} {{.Mountpoint}}', 'shxvol'] },
    { args: ['image', 'inspect', '--format', '{{.Id}} {{.RepoTags}}', 'busybox'] },
  ];
}

async function cliDiffs(cli: string): Promise<string[]> {
  const diffs: string[] = [];
  const lines = (t: string) =>
    t
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => l.split(' ').map(unprefix).join(' '))
      .sort();
  const cases = cliCases();
  for (let s = 0; s < cases.length; s += 6) {
    await Promise.all(
      cases.slice(s, s + 6).map(async (c) => {
        const [m, e] = await Promise.all([
          managerDocker([...c.args], cli),
          runCommand([cli, ...(c.engineArgs ?? c.args)], { env: th.hosts[0]?.env ?? {} }),
        ]);
        const err = (t: string) => t.replace(/^Error response from daemon: /, '').trim();
        const same = c.swarm
          ? m.code !== 0 && e.code !== 0 && err(m.stderr).includes(c.swarm)
          : m.code === e.code &&
            JSON.stringify(lines(m.stdout)) === JSON.stringify(lines(e.stdout)) &&
            err(m.stderr) === err(e.stderr);
        if (!same) {
          diffs.push(
            `${cli} ${c.args.join(' ')}\n  manager ${m.code}: ${m.stdout}${m.stderr}\n  engine  ${e.code}: ${e.stdout}${e.stderr}`,
          );
        }
      }),
    );
  }
  return diffs;
}

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  work = await mkdtemp(join(tmpdir(), 'shoal-shx-'));
  th = await bootTestHosts({ prefix: 'shx', subnet: '10.248.0.0/24', hosts: [{ name: 'shx-1' }] });
  const h = th.hosts[0];
  if (!h) throw new Error('no host');
  node = h.name;
  const [ca, cert, key] = await Promise.all(
    ['ca.pem', 'cert.pem', 'key.pem'].map((x) => readFile(join(th.certDir, x))),
  );
  agent = new https.Agent({ ca, cert, key, keepAlive: true, maxSockets: 16 });
  await issueServerCert({
    caCertPath: join(th.certDir, 'ca.pem'),
    caKeyPath: join(th.certDir, 'ca-key.pem'),
    commonName: 'shx-manager',
    clientAuth: true,
    outCert: join(work, 'server.pem'),
    outKey: join(work, 'server-key.pem'),
  });
  port = await freePort();
  manager = spawn(
    SHOAL,
    [
      '-l',
      'debug',
      'manage',
      '-tlsverify',
      `-tlscacert=${join(th.certDir, 'ca.pem')}`,
      `-tlscert=${join(work, 'server.pem')}`,
      `-tlskey=${join(work, 'server-key.pem')}`,
      '-engine-refresh-min-interval=1s',
      '-engine-refresh-max-interval=2s',
      '-H',
      `tcp://127.0.0.1:${port}`,
      `nodes://${h.ip}:2376`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  manager.stdout?.on('data', (b: Buffer) => {
    managerLog += b.toString();
  });
  manager.stderr?.on('data', (b: Buffer) => {
    managerLog += b.toString();
  });
  await th.loadBusybox(h);
  // Fixtures, made straight on the engine so the manager only has to see them.
  const d = (args: string[]) => engineDocker(args);
  ids.busybox = await d(['image', 'inspect', '-f', '{{.Id}}', 'busybox:latest']);
  ids.shxnet = await d(['network', 'create', '--label', 'shx=1', 'shxnet']);
  await d(['network', 'create', 'shxlone']);
  await d(['volume', 'create', '--label', 'shx=1', 'shxvol']);
  await d(['volume', 'create', 'shxlone']);
  ids.run1 = await d([
    'run',
    '-d',
    '--name',
    'run1',
    '--label',
    'shx=1',
    '-p',
    '8080:80',
    '--expose',
    '90',
    '-v',
    'shxvol:/data',
    '--network',
    'shxnet',
    'busybox',
    'sleep',
    '600',
  ]);
  await d(['run', '--name', 'ex3', '-v', '/anon', 'busybox', 'sh', '-c', 'exit 3']).catch(() => '');
  ids.anon = await d(['inspect', '-f', '{{(index .Mounts 0).Name}}', 'ex3']);
  await d(['create', '--name', 'cr1', '--label', 'shx=2', 'busybox', 'true']);
  await d([
    'run',
    '-d',
    '--name',
    'hc1',
    '--health-cmd',
    'true',
    '--health-interval',
    '1s',
    'busybox',
    'sleep',
    '600',
  ]);
  await d(['commit', '--change', 'LABEL shx=1', 'run1', 'shx/labelled:1']);
  await d(['commit', '--change', 'LABEL shx=dangling', 'ex3', 'shx/dangling:1']);
  await d(['commit', '--change', 'LABEL shx=2', 'ex3', 'shx/dangling:1']);
  await writeFile(join(work, 'ids.json'), JSON.stringify(ids));
  await waitFor('the manager to see the fixtures', async () => {
    const a = await request('manager', 'GET', `${V}/containers/json?all=1`);
    const e = await request('engine', 'GET', `${V}/containers/json?all=1`);
    const hc = await request('engine', 'GET', `${V}/containers/hc1/json`);
    return (
      a.status === 200 &&
      (a.body as unknown[]).length === (e.body as unknown[]).length &&
      (hc.body as { State: { Health?: { Status: string } } }).State.Health?.Status === 'healthy'
    );
  });
});

afterAll(async () => {
  try {
    agent?.destroy();
    if (manager?.pid && manager.exitCode === null) {
      manager.kill('SIGTERM');
      await new Promise((r) => manager?.once('exit', r));
    }
  } finally {
    await th?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  }
});

/** The filter keys the cases of one list send (decoded from their `filters` parameter). */
function keysSent(cases: readonly Case[]): Set<string> {
  const keys = new Set<string>();
  for (const c of cases) {
    const raw = new URL(c.path, 'http://x').searchParams.get('filters');
    if (raw === null) continue;
    try {
      for (const k of Object.keys(JSON.parse(raw) as object)) keys.add(k);
    } catch {
      // the malformed-filters case
    }
  }
  return keys;
}

describe('manager vs. engine: the same request, the same answer', () => {
  it.each([
    ['containers', containerCases, CONTAINER_FILTER_KEYS],
    ['images', imageCases, IMAGE_FILTER_KEYS],
    ['networks', networkCases, NETWORK_FILTER_KEYS],
    ['volumes', volumeCases, VOLUME_FILTER_KEYS],
  ] as const)('the %s cases send every filter key the manager accepts', (_what, cases, accepted) => {
    const sent = keysSent(cases());
    expect([...accepted].filter((k) => !sent.has(k))).toEqual([]);
  });
  it.each([
    ['container list filters', containerCases],
    ['image list filters', imageCases],
    ['network list filters', networkCases],
    ['volume list filters', volumeCases],
    ['network, volume and image inspects', inspectCases],
    ['build cancel and session checks', buildCases],
    ['removing a volume or network in use', inUseCases],
    ['missing objects and an exec without a command', missingCases],
    ['JSON bodies of another content type', contentTypeCases],
  ] as const)('%s', async (_what, cases) => {
    const diffs = await differ(cases());
    expect(diffs, diffs.join('\n')).toEqual([]);
  });
  it("answers with Swarm's texts where the engine has no such situation", async () => {
    const save = await request('manager', 'GET', `${V}/images/get?names=busybox&names=nope`);
    expect([save.status, (save.body as { message: string }).message]).toEqual([
      404,
      'Unable to find a healthy engine containing all images: [busybox nope]',
    ]);
    // a BuildKit session without its ID: Swarm's 400; the engine words it differently
    const [session, engineSession] = await Promise.all([
      request('manager', 'POST', `${V}/session`),
      request('engine', 'POST', `${V}/session`),
    ]);
    expect([session.status, (session.body as { message: string }).message]).toEqual([
      400,
      'no session ID provided',
    ]);
    expect((engineSession.body as { message: string }).message).toBe('no upgrade proto in request');
    // a connect that names no container
    const connect = await request('manager', 'POST', `${V}/networks/bridge/connect`, {});
    expect([connect.status, (connect.body as { message: string }).message]).toEqual([
      404,
      'Container is not specified',
    ]);
    // a create on a node that does not exist is refused by the scheduler, as Swarm did
    const [net, vol] = await Promise.all([
      request('manager', 'POST', `${V}/networks/create`, { Name: 'nonode/x', Driver: 'bridge' }),
      request('manager', 'POST', `${V}/volumes/create`, { Name: 'nonode/x' }),
    ]);
    for (const r of [net, vol]) {
      expect(r.status).toBe(500);
      const message = (r.body as { message: string }).message;
      expect(message).toMatch(/^Unable to find a node that satisfies the following conditions \n/);
      expect(message).toContain('\n[node==nonode (soft=false)]\n');
    }
    // a whitelisted volume goes to exactly the whitelisted nodes
    const listed = await request('manager', 'POST', `${V}/volumes/create`, {
      Name: 'shxwl',
      Labels: { 'com.docker.swarm.whitelists': `["node==${node}|other"]` },
    });
    expect(listed.status).toBe(201);
    expect((await request('engine', 'GET', `${V}/volumes/shxwl`)).status).toBe(200);
    const none = await request('manager', 'POST', `${V}/volumes/create`, {
      Name: 'shxwl2',
      Labels: { 'com.docker.swarm.whitelists': '["node==other"]' },
    });
    expect([none.status, (none.body as { message: string }).message]).toEqual([
      500,
      'unable to find a node that satisfies the whitelist node==other',
    ]);
    expect((await request('engine', 'GET', `${V}/volumes/shxwl2`)).status).toBe(404);
    const shoal = (args: string[]) => runCommand([SHOAL, ...args]);
    const [overcommit, refresh, advertise, globals] = await Promise.all([
      shoal(['-l', 'debug', 'manage', '--cluster-opt', 'swarm.overcommit=-2', 'nodes://127.0.0.1:1']),
      shoal(['--debug', 'manage', '-engine-refresh-min-interval=0s', 'nodes://127.0.0.1:1']),
      shoal(['-experimental', 'join', '-advertise', 'nope', '-heartbeat=1s', 'etcd://127.0.0.1:1']),
      shoal(['-l', 'loud', 'list', 'nodes://127.0.0.1:1']),
    ]);
    expect([overcommit.code, overcommit.stderr]).toEqual([
      1,
      'Error: swarm.overcommit should be larger than -1, -2.000000 is invalid\n',
    ]);
    expect([refresh.code, refresh.stderr]).toEqual([
      1,
      'Error: min refresh interval should be a positive number\n',
    ]);
    expect(advertise.code).toBe(1);
    expect(advertise.stderr).toMatch(/^Error: --advertise should be of the form ip:port or hostname:port/);
    expect(globals.code).toBe(1);
    expect(globals.stderr).toContain('not a valid log level: "loud"');
  });

  it.each(CLIS)('%s: filters and inspects through the CLI', async (cli) => {
    const diffs = await cliDiffs(cli);
    expect(diffs, diffs.join('\n')).toEqual([]);
  });

  // last: it stops the engine
  it("a container on a node that went down gets Swarm's 500", async () => {
    await th.hosts[0]?.stopEngine();
    // Until the manager marks the node unhealthy, the call still goes to the engine and fails to connect.
    await waitFor('the node to be unhealthy', async () => {
      const r = await request('manager', 'GET', `${V}/containers/run1/logs?stdout=1`);
      return (
        r.status === 500 && !String((r.body as { message?: unknown }).message).startsWith('Cannot connect')
      );
    });
    const r = await request('manager', 'GET', `${V}/containers/run1/logs?stdout=1`);
    expect(r.status).toBe(500);
    expect((r.body as { message: string }).message).toBe(`Container run1 running on unhealthy node ${node}`);
    const cli = await managerDocker(['logs', 'run1'], CLIS[1]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`Container run1 running on unhealthy node ${node}`);
  });
});
