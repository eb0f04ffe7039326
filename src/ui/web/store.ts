import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { ApiError, get, getVia, jsonLines, stream } from './api.js';

/** One container from `GET /containers/json?all=1`. */
export interface Container {
  Id: string;
  Names: string[];
  Image: string;
  State: string;
  Status: string;
  Created: number;
  Ports: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
  Labels: Record<string, string>;
}

/** One node, read from `/info`'s `SystemStatus` (the lines `docker info` prints). */
export interface NodeRow {
  name: string;
  addr: string;
  id: string;
  status: string;
  containers: string;
  cpus: [number, number];
  memory: [string, string];
  memoryRatio: number;
  labels: string[];
  /** `active`, `pause` or `drain`, when the manager prints it. */
  availability?: string;
  error?: string;
  updatedAt?: string;
  version?: string;
}

/** One event of the manager's `/events` stream. */
export interface ClusterEvent {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  from?: string;
  time?: number;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  node?: { Name?: string; Addr?: string };
}

/** The manager's `/info`, as far as the dashboard reads it. */
export interface Info {
  Containers: number;
  ContainersRunning: number;
  ContainersStopped: number;
  Images: number;
  NCPU: number;
  MemTotal: number;
  SystemStatus: [string, string][] | null;
}

/** Everything the live store holds. */
export interface LiveState {
  info?: Info;
  nodes: NodeRow[];
  containers: Container[];
  events: ClusterEvent[];
  /** Last time the store was refreshed (ms). */
  updatedAt: number;
  /** The stream is connected. */
  live: boolean;
  /** The manager the last `/info` came through (the dashboard goes on to another when its own is down). */
  via?: string;
  error?: string;
}

const MAX_EVENTS = 300;

function sizeToBytes(text: string): number {
  const m = /^([\d.]+)\s*(B|KiB|MiB|GiB|TiB)$/.exec(text.trim());
  if (!m) return 0;
  const unit = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 }[m[2] as 'B'];
  return Number(m[1]) * unit;
}

/** Reads the node list out of `/info`'s `SystemStatus` pairs. */
export function parseNodes(status: [string, string][] | null | undefined): NodeRow[] {
  const out: NodeRow[] = [];
  let cur: NodeRow | undefined;
  for (const [rawKey, value] of status ?? []) {
    if (rawKey.startsWith(' ') && !rawKey.includes('└')) {
      cur = {
        name: rawKey.trim(),
        addr: value,
        id: '',
        status: '',
        containers: '',
        cpus: [0, 0],
        memory: ['0 B', '0 B'],
        memoryRatio: 0,
        labels: [],
      };
      out.push(cur);
      continue;
    }
    if (!cur || !rawKey.includes('└')) continue;
    const key = rawKey.replace(/^[\s└]+/, '');
    if (key === 'ID') cur.id = value;
    else if (key === 'Status') cur.status = value;
    else if (key === 'Containers') cur.containers = value;
    else if (key === 'Reserved CPUs') {
      const [a, b] = value.split('/').map((x) => Number(x.trim()));
      cur.cpus = [a ?? 0, b ?? 0];
    } else if (key === 'Reserved Memory') {
      const [a = '0 B', b = '0 B'] = value.split('/').map((x) => x.trim());
      cur.memory = [a, b];
      const total = sizeToBytes(b);
      cur.memoryRatio = total > 0 ? sizeToBytes(a) / total : 0;
    } else if (key === 'Labels') cur.labels = value ? value.split(', ') : [];
    else if (key === 'Error') cur.error = value;
    else if (key === 'Availability') cur.availability = value;
    else if (key === 'UpdatedAt') cur.updatedAt = value;
    else if (key === 'ServerVersion') cur.version = value;
  }
  return out;
}

type Listener = (s: LiveState) => void;

/**
 * The one live store: `/info` and the container list, re-read shortly after every event of the manager's
 * `/events` stream (and every 10 s as a safety net), plus the events themselves. Pages subscribe with
 * {@link useLive}. The stream reconnects after an error; the error stays visible until it is back.
 */
export class LiveStore {
  private state: LiveState = { nodes: [], containers: [], events: [], updatedAt: 0, live: false };
  private readonly listeners = new Set<Listener>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reading = false;
  private again = false;

  constructor() {
    void this.refresh();
    void this.follow();
    setInterval(() => void this.refresh(), 10_000);
  }

  get current(): LiveState {
    return this.state;
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private set(patch: Partial<LiveState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }

  /** Re-reads soon (coalescing bursts of events into one read). */
  poke(delayMs = 100): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delayMs);
  }

  async refresh(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    try {
      const [{ value: info, via }, containers] = await Promise.all([
        getVia<Info>('/docker/info'),
        get<Container[]>('/docker/containers/json?all=1'),
      ]);
      this.set({
        info,
        ...(via ? { via } : {}),
        nodes: parseNodes(info.SystemStatus),
        containers,
        updatedAt: Date.now(),
        error: undefined,
      });
    } catch (err) {
      this.set({ error: err instanceof ApiError ? err.message : String(err) });
    } finally {
      this.reading = false;
      if (this.again) {
        this.again = false;
        this.poke(0);
      }
    }
  }

  private async follow(): Promise<void> {
    for (;;) {
      const ac = new AbortController();
      try {
        await stream(
          `/docker/events?since=${Math.floor(Date.now() / 1000)}`,
          ac.signal,
          jsonLines<ClusterEvent>((ev) => {
            this.set({ events: [ev, ...this.state.events].slice(0, MAX_EVENTS) });
            this.poke();
          }),
          () => {
            // connected (again): what happened while the stream was down is read at once
            this.set({ live: true });
            this.poke(0);
          },
        );
        this.set({ live: false });
      } catch (err) {
        this.set({ live: false, error: `event stream: ${err instanceof Error ? err.message : String(err)}` });
      }
      await new Promise((r) => setTimeout(r, 1000));
      this.poke(0);
    }
  }
}

/** The page's one live store, provided by the app. */
export const StoreContext = createContext<LiveStore | undefined>(undefined);

/** The live store of the page. */
export function useStore(): LiveStore {
  const s = useContext(StoreContext);
  if (!s) throw new Error('no live store: render inside StoreContext.Provider');
  return s;
}

/** Subscribes a component to the live store. */
export function useLive(): LiveState {
  const s = useStore();
  const [state, setState] = useState(s.current);
  useEffect(() => s.subscribe(setState), [s]);
  return state;
}

/** Polls a JSON endpoint every `everyMs`; the error is kept for display. */
export function usePoll<T>(path: string, everyMs: number): { data?: T; error?: string; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let stop = false;
    const load = () =>
      get<T>(path).then(
        (d) => {
          if (!stop) {
            setData(d);
            setError(undefined);
          }
        },
        (e: unknown) => {
          if (!stop) setError(e instanceof Error ? e.message : String(e));
        },
      );
    void load();
    const t = setInterval(() => void load(), everyMs);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [path, everyMs, tick]);
  return { data, error, reload: () => setTick((x) => x + 1) };
}
