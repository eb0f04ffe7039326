import type { CachedContainer } from '../cluster/engine-cache.js';
import { SWARM_ID_LABEL } from '../scheduler/lookup.js';

/** Options of {@link cached}. */
export interface CachedOptions {
  id: string;
  name: string;
  swarmId?: string;
  image?: string;
  state?: 'running' | 'exited' | 'paused' | 'created';
  cpuShares?: number;
  memory?: number;
  ports?: Record<string, { HostIp?: string; HostPort?: string }[]>;
  extraNames?: string[];
}

/** A cached container (list entry + inspect) for unit tests. */
export function cached(o: CachedOptions): CachedContainer {
  const labels: Record<string, string> = o.swarmId ? { [SWARM_ID_LABEL]: o.swarmId } : {};
  const state = o.state ?? 'running';
  return {
    summary: {
      Id: o.id,
      Names: [`/${o.name}`, ...(o.extraNames ?? [])],
      Image: o.image ?? 'busybox',
      ImageID: 'sha256:abc',
      Created: 1,
      State: state,
      Status: state === 'running' ? 'Up 1 second' : 'Exited (0) 1 second ago',
      Labels: labels,
    },
    info: {
      Id: o.id,
      Name: `/${o.name}`,
      Created: '2026-01-01T00:00:00Z',
      Image: 'sha256:abc',
      State: {
        Status: state,
        Running: state === 'running' || state === 'paused',
        Paused: state === 'paused',
      },
      Config: { Image: o.image ?? 'busybox', Labels: labels, ExposedPorts: { '80/tcp': {} } },
      HostConfig: {
        CpuShares: o.cpuShares ?? 0,
        Memory: o.memory ?? 0,
        NetworkMode: 'default',
        PortBindings: o.ports ?? {},
      },
      NetworkSettings: { Ports: o.ports ?? {} },
    },
  };
}

/** A 64-hex ID starting with `prefix`. */
export function hexId(prefix: string): string {
  return prefix.padEnd(64, '0');
}
