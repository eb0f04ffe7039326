/**
 * The Docker Engine API JSON shapes the cluster layer reads. Only the fields shoal uses are typed; everything else
 * the engine sent is kept (index signature) so the API layer can pass objects through unchanged.
 */

/** `GET /containers/json` entry. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command?: string;
  Created: number;
  State: string;
  Status: string;
  Ports?: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
  Labels?: Record<string, string> | null;
  HostConfig?: { NetworkMode?: string };
  [key: string]: unknown;
}

/** `GET /containers/{id}/json` (the fields shoal reads). */
export interface ContainerInspect {
  Id: string;
  Name: string;
  Created: string;
  Image: string;
  State: { Status: string; Running: boolean; Paused: boolean; Restarting?: boolean; [key: string]: unknown };
  Config: {
    Image: string;
    Labels?: Record<string, string> | null;
    Env?: string[] | null;
    ExposedPorts?: Record<string, unknown> | null;
    [key: string]: unknown;
  };
  HostConfig: {
    CpuShares?: number;
    NanoCpus?: number;
    Memory?: number;
    NetworkMode?: string;
    PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
    [key: string]: unknown;
  };
  NetworkSettings?: {
    Ports?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
    Networks?: Record<string, unknown> | null;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** `GET /images/json` entry. */
export interface ImageSummary {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created: number;
  Size: number;
  Labels?: Record<string, string> | null;
  [key: string]: unknown;
}

/** `GET /networks` entry. */
export interface NetworkResource {
  Id: string;
  Name: string;
  Scope: string;
  Driver: string;
  Containers?: Record<string, unknown> | null;
  [key: string]: unknown;
}

/** `GET /volumes` entry. */
export interface VolumeResource {
  Name: string;
  Driver: string;
  Mountpoint?: string;
  Scope?: string;
  Labels?: Record<string, string> | null;
  [key: string]: unknown;
}

/** `GET /info` (fields shoal reads). */
export interface EngineInfo {
  ID: string;
  Name: string;
  NCPU: number;
  MemTotal: number;
  Driver?: string;
  KernelVersion?: string;
  OperatingSystem?: string;
  OSType?: string;
  ExecutionDriver?: string;
  Labels?: string[] | null;
  SystemTime?: string;
  ServerVersion?: string;
  [key: string]: unknown;
}

/** `GET /version`: one shape for the whole tree, defined by the engine client. */
export type { EngineVersion } from '../engine/version.js';

/** One JSON object of the engine's `/events` stream. */
export interface EngineEvent {
  status?: string;
  id?: string;
  from?: string;
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  scope?: string;
  time?: number;
  timeNano?: number;
  [key: string]: unknown;
}
