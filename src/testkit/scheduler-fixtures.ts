/**
 * Fixture builders for scheduler tests and benchmarks: `node('n1').mem('2g').cpus(2).label('region', 'eu')`,
 * `container('web').port('80:80')`, `request().constraint('region==eu')`. Builders are immutable-by-convention
 * (each call mutates and returns the builder; call `build()` for the plain snapshot).
 */
import { parseExpression } from '../scheduler/expression.js';
import type {
  ContainerSnapshot,
  ImageSnapshot,
  NodeSnapshot,
  NodeState,
  PlacementRequest,
  PortBinding,
} from '../scheduler/types.js';

const UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** `512m`, `2g`, `1024` → bytes (binary units, as the docker CLI). */
export function bytes(size: string | number): number {
  if (typeof size === 'number') return size;
  const m = /^(\d+(?:\.\d+)?)([bkmgt]?)$/i.exec(size.trim());
  if (!m) throw new Error(`bad size ${size}`);
  return Math.round(Number(m[1]) * UNITS[(m[2] || 'b').toLowerCase()]!);
}

/** `[ip:]hostPort:containerPort[/proto]` or `containerPort[/proto]` → a binding (docker `-p` syntax). */
export function binding(spec: string): PortBinding {
  const [addr, proto = 'tcp'] = spec.split('/') as [string, string?];
  const parts = addr.startsWith('[') ? splitV6(addr) : addr.split(':');
  if (parts.length === 1) return { containerPort: `${parts[0]}/${proto}`, hostIp: '', hostPort: '' };
  if (parts.length === 2) return { containerPort: `${parts[1]}/${proto}`, hostIp: '', hostPort: parts[0]! };
  return { containerPort: `${parts[2]}/${proto}`, hostIp: parts[0]!, hostPort: parts[1]! };
}

function splitV6(addr: string): string[] {
  const end = addr.indexOf(']');
  return [addr.slice(1, end), ...addr.slice(end + 2).split(':')];
}

let seq = 0;
function hexId(prefix: string): string {
  seq++;
  return `${prefix}${seq.toString(16)}`.padEnd(64, '0');
}

/** Builder of a {@link ContainerSnapshot}. */
export class ContainerBuilder {
  #c: { -readonly [K in keyof ContainerSnapshot]: ContainerSnapshot[K] };
  constructor(name?: string) {
    this.#c = {
      id: hexId('c'),
      names: name ? [name] : [],
      image: 'busybox:latest',
      imageId: 'sha256:busybox',
      labels: {},
      state: 'running',
      networkMode: 'default',
      requestedPorts: [],
      publishedPorts: [],
      exposedPorts: [],
      cpus: 0,
      memory: 0,
    };
  }
  id(id: string): this {
    this.#c.id = id;
    return this;
  }
  names(...names: string[]): this {
    this.#c.names = names;
    return this;
  }
  image(image: string): this {
    this.#c.image = image;
    return this;
  }
  label(key: string, value: string): this {
    this.#c.labels = { ...this.#c.labels, [key]: value };
    return this;
  }
  state(state: string): this {
    this.#c.state = state;
    return this;
  }
  net(mode: string): this {
    this.#c.networkMode = mode;
    return this;
  }
  /** A requested binding (`HostConfig.PortBindings`), `-p` syntax. */
  port(spec: string): this {
    this.#c.requestedPorts = [...this.#c.requestedPorts, binding(spec)];
    return this;
  }
  /** A published port (`NetworkSettings.Ports`), `-p` syntax with the actual host port. */
  published(spec: string): this {
    this.#c.publishedPorts = [...this.#c.publishedPorts, binding(spec)];
    return this;
  }
  expose(key: string): this {
    this.#c.exposedPorts = [...this.#c.exposedPorts, key];
    return this;
  }
  cpus(n: number): this {
    this.#c.cpus = n;
    return this;
  }
  mem(size: string | number): this {
    this.#c.memory = bytes(size);
    return this;
  }
  build(): ContainerSnapshot {
    return { ...this.#c };
  }
}

/** Starts a container builder. */
export function container(name?: string): ContainerBuilder {
  return new ContainerBuilder(name);
}

/** Builder of a {@link NodeSnapshot}; healthy, 1 CPU, 1 GiB, no containers by default. */
export class NodeBuilder {
  #n: { -readonly [K in keyof NodeSnapshot]: NodeSnapshot[K] };
  constructor(name: string) {
    this.#n = {
      id: `ID-${name}`,
      name,
      addr: `10.0.0.1:2375`,
      ip: '10.0.0.1',
      labels: {
        storagedriver: 'overlay2',
        kernelversion: '5.10',
        operatingsystem: 'Debian',
        ostype: 'linux',
      },
      state: 'healthy',
      healthIndicator: 100,
      totalCpus: 1,
      totalMemory: bytes('1g'),
      containers: [],
      images: [],
    };
  }
  id(id: string): this {
    this.#n.id = id;
    return this;
  }
  label(key: string, value: string): this {
    this.#n.labels = { ...this.#n.labels, [key]: value };
    return this;
  }
  state(state: NodeState, health?: number): this {
    this.#n.state = state;
    this.#n.healthIndicator = health ?? (state === 'healthy' ? 100 : 0);
    return this;
  }
  health(indicator: number): this {
    this.#n.healthIndicator = indicator;
    return this;
  }
  cpus(n: number): this {
    this.#n.totalCpus = n;
    return this;
  }
  mem(size: string | number): this {
    this.#n.totalMemory = bytes(size);
    return this;
  }
  container(...cs: (ContainerBuilder | ContainerSnapshot)[]): this {
    const built = cs.map((c) => (c instanceof ContainerBuilder ? c.build() : c));
    this.#n.containers = [...this.#n.containers, ...built];
    return this;
  }
  /** Adds `n` plain running containers. */
  containers(n: number): this {
    return this.container(...Array.from({ length: n }, () => container()));
  }
  image(tag: string, id = `sha256:${tag.replace(/[^a-z0-9]/g, '')}`): this {
    const img: ImageSnapshot = { id, repoTags: [tag] };
    this.#n.images = [...this.#n.images, img];
    return this;
  }
  build(): NodeSnapshot {
    return { ...this.#n };
  }
}

/** Starts a node builder. */
export function node(name: string): NodeBuilder {
  return new NodeBuilder(name);
}

/** Builder of a {@link PlacementRequest}; no resources, bridge network by default. */
export class RequestBuilder {
  #r: { -readonly [K in keyof PlacementRequest]: PlacementRequest[K] };
  constructor() {
    this.#r = {
      image: 'busybox',
      cpus: 0,
      memory: 0,
      networkMode: 'default',
      portBindings: [],
      exposedPorts: [],
      constraints: [],
      affinities: [],
      whitelists: [],
      dependencies: { volumesFrom: [], links: [] },
      labels: {},
    };
  }
  name(name: string): this {
    this.#r.name = name;
    return this;
  }
  image(image: string): this {
    this.#r.image = image;
    return this;
  }
  cpus(n: number): this {
    this.#r.cpus = n;
    return this;
  }
  mem(size: string | number): this {
    this.#r.memory = bytes(size);
    return this;
  }
  net(mode: string): this {
    this.#r.networkMode = mode;
    if (mode.startsWith('container:')) {
      this.#r.dependencies = { ...this.#r.dependencies, netContainer: mode.slice('container:'.length) };
    }
    return this;
  }
  port(spec: string): this {
    const b = binding(spec);
    this.#r.portBindings = [...this.#r.portBindings, b];
    this.#r.exposedPorts = [...this.#r.exposedPorts, b.containerPort];
    return this;
  }
  expose(key: string): this {
    this.#r.exposedPorts = [...this.#r.exposedPorts, key];
    return this;
  }
  constraint(text: string): this {
    this.#r.constraints = [...this.#r.constraints, parseExpression(text)];
    return this;
  }
  affinity(text: string): this {
    this.#r.affinities = [...this.#r.affinities, parseExpression(text)];
    return this;
  }
  whitelist(text: string): this {
    this.#r.whitelists = [...this.#r.whitelists, parseExpression(text)];
    return this;
  }
  volumesFrom(spec: string): this {
    this.#r.dependencies = {
      ...this.#r.dependencies,
      volumesFrom: [...this.#r.dependencies.volumesFrom, spec],
    };
    return this;
  }
  link(spec: string): this {
    this.#r.dependencies = { ...this.#r.dependencies, links: [...this.#r.dependencies.links, spec] };
    return this;
  }
  label(key: string, value: string): this {
    this.#r.labels = { ...this.#r.labels, [key]: value };
    return this;
  }
  build(): PlacementRequest {
    return { ...this.#r };
  }
}

/** Starts a request builder. */
export function request(): RequestBuilder {
  return new RequestBuilder();
}
