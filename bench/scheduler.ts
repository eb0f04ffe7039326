/**
 * Scheduler-alone benchmark: decisions per second at 1,000 nodes × 30 containers each (target > 1,000/s).
 *
 *   npx tsc -p bench/tsconfig.json && node dist/.bench/bench/scheduler.js [nodes] [containersPerNode] [seconds]
 *
 * Prints one row per scenario: decisions/s and per-decision p50/p99 latency. Deterministic cluster (seeded rng).
 */
import { performance } from 'node:perf_hooks';
import { decideAndReserve, ReservationBook } from '../src/scheduler/reservations.js';
import { Scheduler } from '../src/scheduler/scheduler.js';
import type { NodeSnapshot, PlacementRequest } from '../src/scheduler/types.js';
import { container, node, request } from '../src/testkit/scheduler-fixtures.js';
import { seededRng } from '../src/util/rng.js';

const NODES = Number(process.argv[2] ?? 1000);
const PER_NODE = Number(process.argv[3] ?? 30);
const SECONDS = Number(process.argv[4] ?? 2);
const REGIONS = ['eu-west', 'eu-north', 'us-east', 'us-west', 'asia'];
const APPS = ['web', 'db', 'cache', 'queue', 'worker', 'api'];

function cluster(): NodeSnapshot[] {
  const rng = seededRng(1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  return Array.from({ length: NODES }, (_, i) => {
    const b = node(`node-${i}`)
      .cpus(16)
      .mem('64g')
      .label('region', pick(REGIONS))
      .label('disk', rng() < 0.5 ? 'ssd' : 'hdd')
      .image('busybox:latest')
      .image('redis:7');
    for (let c = 0; c < PER_NODE; c++) {
      const app = pick(APPS);
      const cb = container(`${app}-${i}-${c}`)
        .label('app', app)
        .cpus(rng() < 0.3 ? 1 : 0)
        .mem(rng() < 0.5 ? '256m' : 0)
        .state(rng() < 0.8 ? 'running' : 'exited');
      if (c === 0) cb.port(`${8000 + (i % 50)}:80`);
      b.container(cb);
    }
    return b.build();
  });
}

interface Row {
  scenario: string;
  decisions: number;
  perSecond: number;
  /** Decisions per second of CPU time used by this process (robust when the machine is shared). */
  perCpuSecond: number;
  p50us: number;
  p99us: number;
  ok: number;
}

function run(name: string, s: Scheduler, req: PlacementRequest, nodes: NodeSnapshot[], reserve = false): Row {
  const book = new ReservationBook();
  const lat: number[] = [];
  let ok = 0;
  // warm-up
  for (let i = 0; i < 300; i++) s.decide(req, nodes);
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  const c0 = process.cpuUsage();
  while (performance.now() < end) {
    const a = performance.now();
    if (reserve) {
      const r = decideAndReserve(s, book, req, nodes);
      if (r.reservation) {
        ok++;
        // keep ~50 creates in flight
        if (book.size > 50) r.reservation.release();
      }
    } else if (s.decide(req, nodes).ok) ok++;
    lat.push(performance.now() - a);
  }
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  lat.sort((x, y) => x - y);
  const q = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(lat.length * p))]! * 1000);
  return {
    scenario: name,
    decisions: lat.length,
    perSecond: Math.round(lat.length / elapsed),
    perCpuSecond: Math.round(lat.length / cpuSeconds),
    p50us: q(0.5),
    p99us: q(0.99),
    ok,
  };
}

const nodes = cluster();
const rng = seededRng(2);
const spread = new Scheduler({ strategy: 'spread', rng });
const binpack = new Scheduler({ strategy: 'binpack', rng });
const random = new Scheduler({ strategy: 'random', rng });
const rows: Row[] = [
  run('spread, plain request', spread, request().build(), nodes),
  run('spread, 1 CPU + 512m', spread, request().cpus(1).mem('512m').build(), nodes),
  run('binpack, 1 CPU + 512m', binpack, request().cpus(1).mem('512m').build(), nodes),
  run('random, plain request', random, request().build(), nodes),
  run(
    'spread, constraint + affinity',
    spread,
    request()
      .constraint('region==eu*')
      .constraint('disk!=hdd')
      .affinity('app!=db')
      .affinity('image==redis')
      .build(),
    nodes,
  ),
  run(
    'spread, soft constraint → pass 2',
    spread,
    request().constraint('region==~mars').affinity('container!=web-1-1').build(),
    nodes,
  ),
  run('spread, -p 8001:80', spread, request().port('8001:80').build(), nodes),
  run('spread, decideAndReserve (50 in flight)', spread, request().cpus(1).mem('256m').build(), nodes, true),
  run('no node fits (message + explanation)', spread, request().constraint('region==mars').build(), nodes),
];
console.log(
  `scheduler alone: ${NODES} nodes × ${PER_NODE} containers, ${SECONDS}s per scenario, node ${process.version}`,
);
console.table(rows);
